package dev.loopline.observability;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * A process's meters: one Prometheus registry (its text is what {@code /metrics} answers) with the
 * JVM's and the process's meters, to which the process binds its Kafka clients and Streams
 * applications and records Loopline's own metrics ({@link LooplineMetrics}). Closing it unbinds the
 * Kafka meters and the GC listener.
 */
public final class Meters implements AutoCloseable {

    private final PrometheusMeterRegistry registry;
    private final List<AutoCloseable> bound = new ArrayList<>();

    private Meters(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * A registry whose every meter carries {@code service} ({@code loopline-runtime}, {@code
     * loopline-gateway}), with the JVM's and the process's meters bound.
     */
    public static Meters open(String service) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("service", service);
        Meters meters = new Meters(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new JvmInfoMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        meters.bound.add(gc);
        return meters;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    /**
     * Binds a Streams application's metrics (its threads, tasks, stores and clients: {@code
     * kafka_stream_*}, {@code kafka_consumer_*}, {@code kafka_producer_*}), tagged with {@code
     * application}.
     */
    public void bind(KafkaStreams streams, String application) {
        KafkaStreamsMetrics metrics = new KafkaStreamsMetrics(streams, Tags.of("application", application));
        metrics.bindTo(registry);
        bound.add(metrics);
    }

    public void bind(Producer<?, ?> producer, String client) {
        KafkaClientMetrics metrics = new KafkaClientMetrics(producer, Tags.of("client", client));
        metrics.bindTo(registry);
        bound.add(metrics);
    }

    public void bind(Consumer<?, ?> consumer, String client) {
        KafkaClientMetrics metrics = new KafkaClientMetrics(consumer, Tags.of("client", client));
        metrics.bindTo(registry);
        bound.add(metrics);
    }

    @Override
    public void close() {
        for (AutoCloseable binder : bound) {
            try {
                binder.close();
            } catch (Exception e) {
                // a binder that cannot unbind leaves only its meters behind; nothing to do
            }
        }
        registry.close();
    }
}
