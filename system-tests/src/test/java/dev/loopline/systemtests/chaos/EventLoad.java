package dev.loopline.systemtests.chaos;

import dev.loopline.api.Topics;
import dev.loopline.systemtests.support.GatewayClient;
import dev.loopline.systemtests.support.Records;
import dev.loopline.systemtests.support.Samples;
import dev.loopline.testsupport.infra.Infrastructure;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A steady stream of events through the gateway, at a fixed rate whatever the answers, as an
 * upstream system would send them. Every event has its own id and entity; the ids answered 202
 * are accepted (each must start exactly one instance), the others are only counted by status: a
 * 503 may still have been written.
 */
final class EventLoad implements AutoCloseable {

    static final String ENTITY_TYPE = "expense_report";
    static final String MESSAGE_NAME = "Submitted";

    private final GatewayClient gateway;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "chaos-load");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicLong sent = new AtomicLong();
    private final Set<String> accepted = ConcurrentHashMap.newKeySet();
    private final Map<Integer, AtomicLong> refused = new ConcurrentHashMap<>();
    private final AtomicLong inFlight = new AtomicLong();
    private final AtomicLong preloaded = new AtomicLong();

    private EventLoad(GatewayClient gateway) {
        this.gateway = gateway;
    }

    static EventLoad start(GatewayClient gateway, int perSecond) {
        EventLoad load = new EventLoad(gateway);
        long periodMicros = 1_000_000L / perSecond;
        load.timer.scheduleAtFixedRate(load::sendOne, 0, periodMicros, TimeUnit.MICROSECONDS);
        return load;
    }

    private void sendOne() {
        long n = sent.incrementAndGet();
        String eventId = "chaos-" + n;
        inFlight.incrementAndGet();
        gateway.postAsync(
                        "/v1/events",
                        "{\"eventId\":\"" + eventId + "\",\"source\":\"chaos\",\"entityType\":\"" + ENTITY_TYPE
                                + "\",\"entityId\":\"report-" + n + "\",\"messageName\":\"" + MESSAGE_NAME + "\"}")
                .whenComplete((response, error) -> {
                    inFlight.decrementAndGet();
                    int status = error != null ? 0 : response.status();
                    if (status == 202) {
                        accepted.add(eventId);
                    } else {
                        refused.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
                    }
                });
    }

    /**
     * Writes {@code count} events straight to the events topic, as a bulk upstream load would, and
     * counts them as accepted: each is acknowledged by every in-sync replica, the promise a 202
     * gives. Returns once all are written.
     */
    void preload(Infrastructure infra, Topics topics, int count) {
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (var producer = Records.events(infra)) {
            for (int n = 1; n <= count; n++) {
                String eventId = "preload-" + n;
                String entityId = "preloaded-" + n;
                producer.send(
                        new ProducerRecord<>(
                                topics.events(), entityId, Samples.event(eventId, ENTITY_TYPE, entityId, MESSAGE_NAME)),
                        (metadata, error) -> {
                            if (error != null) {
                                failure.compareAndSet(null, error);
                            } else {
                                accepted.add(eventId);
                                preloaded.incrementAndGet();
                            }
                        });
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a preloaded event was not written", failure.get());
        }
    }

    /** Events written straight to the topic by {@link #preload}, not through the gateway. */
    long preloaded() {
        return preloaded.get();
    }

    long sent() {
        return sent.get();
    }

    Set<String> accepted() {
        return Set.copyOf(accepted);
    }

    /** Answers other than 202, by status (0: no answer). */
    Map<Integer, Long> refused() {
        Map<Integer, Long> counts = new java.util.TreeMap<>();
        refused.forEach((status, count) -> counts.put(status, count.get()));
        return counts;
    }

    /** Stops sending; the requests already sent still get their answers. */
    void stop() {
        timer.shutdown();
    }

    boolean answeredAll() {
        return timer.isShutdown() && inFlight.get() == 0;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
