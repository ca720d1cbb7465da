package dev.loopline.observability;

import dev.loopline.api.config.Setting;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * One of Loopline's own metrics, as the catalogue ({@link LooplineMetrics}) declares it: its
 * Micrometer name, kind, labels, the process that serves it and what it counts. Every label has a
 * bounded set of values (definition ids, message names, step kinds, reasons, routes): never an
 * instance or message id.
 */
public record LooplineMetric(String name, Kind kind, List<String> labels, Set<Setting.Reader> servedBy, String doc) {

    /** How a metric is exposed. */
    public enum Kind {
        COUNTER,
        GAUGE,
        /** A Micrometer timer, exposed as a Prometheus histogram in seconds. */
        HISTOGRAM
    }

    /**
     * Histogram buckets, in seconds, for the latencies Loopline records: from a 10 ms commit to a
     * day-long wait.
     */
    static final Duration[] BUCKETS = {
        Duration.ofMillis(5),
        Duration.ofMillis(10),
        Duration.ofMillis(25),
        Duration.ofMillis(50),
        Duration.ofMillis(100),
        Duration.ofMillis(250),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofMillis(2500),
        Duration.ofSeconds(5),
        Duration.ofSeconds(10),
        Duration.ofSeconds(30),
        Duration.ofMinutes(1),
        Duration.ofMinutes(5),
        Duration.ofMinutes(30),
        Duration.ofHours(2),
        Duration.ofDays(1)
    };

    public LooplineMetric {
        labels = List.copyOf(labels);
        servedBy = Set.copyOf(servedBy);
    }

    /** The name Prometheus shows (histograms add {@code _bucket}, {@code _count}, {@code _sum} and {@code _max}). */
    public String prometheusName() {
        String base = name.replace('.', '_');
        return switch (kind) {
            case COUNTER -> base + "_total";
            case HISTOGRAM -> base + "_seconds";
            case GAUGE -> base;
        };
    }

    /** The counter with these label values, in the order of {@link #labels()}. */
    public Counter counter(MeterRegistry registry, String... values) {
        require(Kind.COUNTER);
        return Counter.builder(name).description(doc).tags(tags(values)).register(registry);
    }

    /** The timer with these label values, in the order of {@link #labels()}. */
    public Timer timer(MeterRegistry registry, String... values) {
        require(Kind.HISTOGRAM);
        return Timer.builder(name)
                .description(doc)
                .tags(tags(values))
                .serviceLevelObjectives(BUCKETS)
                .register(registry);
    }

    /** The gauge, one row per set of label values, which the caller registers afresh when it reads them. */
    public MultiGauge multiGauge(MeterRegistry registry) {
        require(Kind.GAUGE);
        return MultiGauge.builder(name).description(doc).register(registry);
    }

    private Tags tags(String... values) {
        if (values.length != labels.size()) {
            throw new IllegalArgumentException(name + " takes the labels " + labels);
        }
        Tags tags = Tags.empty();
        for (int i = 0; i < values.length; i++) {
            tags = tags.and(labels.get(i), values[i] == null ? "" : values[i]);
        }
        return tags;
    }

    private void require(Kind wanted) {
        if (kind != wanted) {
            throw new IllegalStateException(name + " is a " + kind + ", not a " + wanted);
        }
    }
}
