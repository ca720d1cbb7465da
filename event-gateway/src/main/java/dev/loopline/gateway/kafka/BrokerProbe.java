package dev.loopline.gateway.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * Whether the brokers answer: a cluster description within a short timeout, remembered for a
 * moment so that frequent readiness probes do not each open a round trip. A broker that is up but
 * frozen answers nothing, so it counts as unreachable, which a projection thread that is merely
 * alive could not tell.
 */
public final class BrokerProbe implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final long REMEMBER_NANOS = Duration.ofSeconds(1).toNanos();

    private final Admin admin;
    private long checkedAt;
    private boolean reachable;
    private boolean checked;

    public BrokerProbe(Map<String, Object> clientConfig) {
        Map<String, Object> config = new java.util.HashMap<>(clientConfig);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        this.admin = Admin.create(config);
    }

    public synchronized boolean reachable() {
        long now = System.nanoTime();
        if (!checked || now - checkedAt > REMEMBER_NANOS) {
            reachable = describe();
            checkedAt = System.nanoTime();
            checked = true;
        }
        return reachable;
    }

    private boolean describe() {
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) TIMEOUT.toMillis()))
                    .nodes()
                    .get(TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(2));
    }
}
