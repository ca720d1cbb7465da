package dev.loopline.gateway.query;

import dev.loopline.observability.LooplineMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code loopline_instances}: the query side's counts of the partitions this process serves, by
 * definition, state and status code, read when Prometheus scrapes. A deployment's total is the sum
 * over its gateways; while a partition moves, neither or both may count it for a moment.
 */
public final class InstanceGauge {

    private final MultiGauge gauge;
    private final LocalQueries local;

    public InstanceGauge(MeterRegistry registry, QueryStores stores) {
        this.gauge = LooplineMetrics.INSTANCES.multiGauge(registry);
        this.local = new LocalQueries(stores);
    }

    /** Reads the counts again; rows for counts that are gone go. */
    public void refresh() {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (Map.Entry<String, Long> count : local.counts().counts().entrySet()) {
            String[] parts = IndexKeys.countParts(count.getKey());
            rows.add(MultiGauge.Row.of(
                    Tags.of(
                            "definition", parts[0],
                            "state", parts[1],
                            "status", Integer.toString(Integer.parseInt(parts[2]))),
                    count.getValue()));
        }
        gauge.register(rows, true);
    }
}
