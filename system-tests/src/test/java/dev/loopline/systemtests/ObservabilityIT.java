package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loopline.api.ErrorCategories;
import dev.loopline.api.TopicProvisioner;
import dev.loopline.api.Topics;
import dev.loopline.api.config.Setting;
import dev.loopline.api.security.ApiKeyStore;
import dev.loopline.api.v1.DefinitionStatus;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.api.v1.WorkflowMessage;
import dev.loopline.client.Ack;
import dev.loopline.definition.DefinitionCompiler;
import dev.loopline.gateway.EventGateway;
import dev.loopline.gateway.GatewayConfig;
import dev.loopline.observability.LooplineMetric;
import dev.loopline.observability.LooplineMetrics;
import dev.loopline.runtime.LooplineRuntime;
import dev.loopline.runtime.config.RuntimeConfig;
import dev.loopline.runtime.domain.InstanceIds;
import dev.loopline.systemtests.support.GatewayClient;
import dev.loopline.systemtests.support.ObservabilityFiles;
import dev.loopline.systemtests.support.PrometheusText;
import dev.loopline.systemtests.support.Records;
import dev.loopline.systemtests.support.TestRuntime;
import dev.loopline.systemtests.support.TestTopics;
import dev.loopline.systemtests.support.TopicReader;
import dev.loopline.testsupport.handler.AcknowledgingHandler;
import dev.loopline.testsupport.infra.Infrastructure;
import dev.loopline.testsupport.junit.LooplineInfrastructureExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What an operator watches, read as Prometheus reads it: both processes' {@code /metrics} scraped
 * while the loop runs, every documented metric there and moving with the loop, every metric the
 * dashboard and the alert rules name among them, and one trace id from an HTTP request to the
 * messages and transitions of the instance it started.
 */
@ExtendWith(LooplineInfrastructureExtension.class)
class ObservabilityIT {

    private static final int ORDERS = 10;
    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
    private static final String TRACE_PARENT = "00-" + TRACE_ID + "-b7ad6b7169203331-01";

    @Test
    void shouldShowTheLoopInBothProcessesMetricsAndOneTraceFromRequestToTransition(Infrastructure infra)
            throws Exception {
        // given: orders (a message, then a delay), payments (a message that fails once, then is
        // retried), refunds (a message the application refuses for good) and parcels (waits)
        Topics topics = TestTopics.unique("observed");
        try (Admin admin = infra.admin()) {
            TopicProvisioner.ensureTopics(admin, topics, 3, (short) 1);
        }
        Records.write(infra, topics, active("""
                {"id":"orders","name":"orders","trigger":{"entityType":"order","messageName":"Created"},
                 "steps":[{"name":"confirm","kind":"send-message","messageName":"Confirm"},
                          {"name":"cool_down","kind":"delay","duration":"PT1S"}]}"""));
        Records.write(infra, topics, active("""
                {"id":"payments","name":"payments","trigger":{"entityType":"payment","messageName":"Created"},
                 "steps":[{"name":"pay","kind":"send-message","messageName":"Pay"}]}"""));
        Records.write(infra, topics, active("""
                {"id":"refunds","name":"refunds","trigger":{"entityType":"refund","messageName":"Created"},
                 "steps":[{"name":"refund","kind":"send-message","messageName":"Refund"}]}"""));
        Records.write(infra, topics, active("""
                {"id":"parcels","name":"parcels","trigger":{"entityType":"parcel","messageName":"Created"},
                 "steps":[{"name":"delivered","kind":"wait-for-event",
                           "event":{"entityType":"parcel","messageName":"Delivered","key":"trigger.entityId"}}]}"""));
        Map<String, String> settings = TestRuntime.settings(infra, topics);
        settings.put("LOOPLINE_HTTP_HOST", "127.0.0.1");
        settings.put("LOOPLINE_HTTP_PORT", "0");

        try (LooplineRuntime runtime = LooplineRuntime.start(RuntimeConfig.from(settings));
                EventGateway eventGateway = EventGateway.start(GatewayConfig.from(settings));
                AcknowledgingHandler application = AcknowledgingHandler.start(
                        infra.clientConfig(), topics, topics.prefix() + "app", ObservabilityIT::answer);
                KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(
                        infra.clientConfig(), new ByteArraySerializer(), new ByteArraySerializer());
                // raw: the transitions topic gets a record that is not one
                var messages = TopicReader.raw(infra.bootstrapServers(), topics.messages());
                var transitions = TopicReader.raw(infra.bootstrapServers(), topics.transitions())) {
            GatewayClient gateway = new GatewayClient(eventGateway.port());
            GatewayClient management =
                    new GatewayClient(runtime.managementPort().orElseThrow());
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> Stream.of("orders", "payments", "refunds", "parcels")
                            .allMatch(id -> runtime.catalogEntry(id).isPresent()));

            // when: orders run through, the first with the caller's trace; one order is too deep a chain
            assertThat(gateway.post("/v1/events", event("order-0", "order"), Map.of("traceparent", TRACE_PARENT))
                            .status())
                    .isEqualTo(202);
            for (int i = 1; i < ORDERS; i++) {
                assertThat(gateway.post("/v1/events", event("order-" + i, "order"))
                                .status())
                        .isEqualTo(202);
            }
            assertThat(gateway.post("/v1/events", """
                            {"eventId":"order-loop","source":"erp","entityType":"order","entityId":"o-loop",
                             "messageName":"Created","causation":{"originatingInstanceId":"elsewhere","depth":9}}""").status()).isEqualTo(202);
            // a payment, retried once; a parcel, canceled by an operator; bad records on two topics
            assertThat(gateway.post("/v1/events", event("payment-1", "payment")).status())
                    .isEqualTo(202);
            assertThat(gateway.post("/v1/events", event("parcel-1", "parcel")).status())
                    .isEqualTo(202);
            raw.send(new ProducerRecord<>(topics.events(), bytes("garbage"), bytes("not an event")));
            raw.send(new ProducerRecord<>(topics.transitions(), bytes("garbage"), bytes("not a transition")));
            raw.flush();
            String parcel = InstanceIds.instanceId("parcel-1", "parcels");
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> gateway.get("/v1/instances/" + parcel)
                                    .json()
                                    .path("statusCode")
                                    .asInt()
                            == 10);
            assertThat(gateway.post("/v1/instances/" + parcel + "/cancel", "").status())
                    .isEqualTo(200);
            // refunds fail until the definition's next job is postponed
            await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> {
                        gateway.post("/v1/events", event("refund-" + System.nanoTime(), "refund"));
                        return scrape(management).sum("loopline_postponements_total", Map.of("definition", "refunds"))
                                > 0;
                    });

            // then: both processes show every metric they serve, and the loop's counts agree
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                PrometheusText runtimeMetrics = scrape(management);
                assertThat(runtimeMetrics.sum("loopline_instances_started_total", Map.of("definition", "orders")))
                        .isEqualTo(ORDERS + 1);
                assertThat(runtimeMetrics.sum(
                                "loopline_instances_completed_total",
                                Map.of("definition", "orders", "status", "succeeded")))
                        .isEqualTo(ORDERS);
                assertThat(runtimeMetrics.sum(
                                "loopline_instances_completed_total",
                                Map.of("definition", "orders", "status", "failed")))
                        .isEqualTo(1);
                assertThat(runtimeMetrics.sum(
                                "loopline_message_round_trip_seconds_count", Map.of("message", "Confirm")))
                        .isEqualTo(ORDERS);
                assertThat(runtimeMetrics.sum("loopline_step_duration_seconds_count", Map.of("kind", "delay")))
                        .isEqualTo(ORDERS);
                assertThat(runtimeMetrics.sum("loopline_retries_total", Map.of("definition", "payments")))
                        .isEqualTo(1);
                assertThat(runtimeMetrics.sum(
                                "loopline_instances_completed_total",
                                Map.of("definition", "payments", "status", "succeeded")))
                        .isEqualTo(1);
                assertThat(runtimeMetrics.sum("loopline_loop_protection_trips_total", Map.of("definition", "orders")))
                        .isEqualTo(1);
                assertThat(runtimeMetrics.sum(
                                "loopline_operator_actions_total", Map.of("action", "cancel", "outcome", "applied")))
                        .isEqualTo(1);
                assertThat(runtimeMetrics.sum("loopline_dead_letters_total", Map.of("reason", "unreadable")))
                        .isEqualTo(1);
                assertThat(runtimeMetrics.sum("loopline_timer_lateness_seconds_count"))
                        .isGreaterThanOrEqualTo(ORDERS);
                assertServes(runtimeMetrics, Setting.Reader.RUNTIME, Set.of());

                PrometheusText gatewayMetrics = scrape(gateway);
                assertThat(gatewayMetrics.sum(
                                "loopline_instances",
                                Map.of("definition", "orders", "state", "COMPLETED", "status", "30")))
                        .isEqualTo(ORDERS);
                assertThat(gatewayMetrics.sum(
                                "loopline_http_requests_seconds_count",
                                Map.of("method", "POST", "route", "/v1/events", "status", "202")))
                        .isGreaterThanOrEqualTo(ORDERS + 4);
                assertThat(gatewayMetrics.sum("loopline_dead_letters_total", Map.of("reason", "unreadable")))
                        .isEqualTo(1);
                // webhook deliveries need a bound receiver: WebhookIT reads them
                assertServes(gatewayMetrics, Setting.Reader.GATEWAY, Set.of(LooplineMetrics.WEBHOOK_DELIVERIES));
            });

            // and: Kafka's, the JVM's and the process's meters beside them
            PrometheusText runtimeMetrics = scrape(management);
            PrometheusText gatewayMetrics = scrape(gateway);
            assertThat(runtimeMetrics.names())
                    .anyMatch(name -> name.startsWith("kafka_stream_"))
                    .anyMatch(name -> name.startsWith("kafka_consumer_"))
                    .anyMatch(name -> name.startsWith("kafka_producer_"))
                    .contains("jvm_memory_used_bytes", "process_cpu_usage");
            assertThat(gatewayMetrics.names())
                    .anyMatch(name -> name.startsWith("kafka_stream_"))
                    .anyMatch(name -> name.startsWith("kafka_producer_"))
                    .contains("jvm_memory_used_bytes");

            // and: the dashboard and the alert rules name only metrics that exist
            Set<String> exposed = new TreeSet<>(runtimeMetrics.names());
            exposed.addAll(gatewayMetrics.names());
            exposed.add(LooplineMetrics.WEBHOOK_DELIVERIES.prometheusName()); // WebhookIT scrapes it
            Path scrapes = Path.of("target", "observability-it");
            Files.createDirectories(scrapes);
            Files.writeString(
                    scrapes.resolve("runtime.prom"), management.get("/metrics").body());
            Files.writeString(
                    scrapes.resolve("gateway.prom"), gateway.get("/metrics").body());
            assertThat(ObservabilityFiles.referencedMetrics())
                    .isNotEmpty()
                    .allSatisfy(name -> assertThat(ObservabilityFiles.exposedBy(name, exposed))
                            .as("%s, named in deploy/observability, is in a scrape (see %s)", name, scrapes)
                            .isTrue());

            // and: the Kubernetes probe reads readiness with the monitor key, and fails without it
            String port = Integer.toString(runtime.managementPort().orElseThrow());
            assertThat(probe(GatewayClient.SUITE_KEY, "/health/ready", port)).isZero();
            assertThat(probe(ApiKeyStore.newKey(), "/health/ready", port)).isNotZero();
            assertThat(probe(GatewayClient.SUITE_KEY, "/health/ready", Integer.toString(eventGateway.port())))
                    .isZero();

            // and: the first order's trace reached its messages and its transitions
            String traced = InstanceIds.instanceId("order-0", "orders");
            List<ConsumerRecord<byte[], byte[]>> tracedMessages = messages.readToEnd().stream()
                    .filter(r -> traced.equals(new String(r.key(), StandardCharsets.UTF_8)))
                    .toList();
            List<ConsumerRecord<byte[], byte[]>> tracedTransitions = transitions.readToEnd().stream()
                    .filter(r -> traced.equals(new String(r.key(), StandardCharsets.UTF_8)))
                    .toList();
            assertThat(tracedMessages).hasSize(2); // "workflow started" and Confirm
            assertThat(tracedTransitions).hasSizeGreaterThanOrEqualTo(7);
            tracedMessages.forEach(r -> assertThat(traceId(r)).isEqualTo(TRACE_ID));
            tracedTransitions.forEach(r -> assertThat(traceId(r)).isEqualTo(TRACE_ID));
            // a request without a trace starts one, which its instance's records carry on
            String untraced = InstanceIds.instanceId("order-1", "orders");
            Set<String> started = new TreeSet<>();
            transitions.readToEnd().stream()
                    .filter(r -> untraced.equals(new String(r.key(), StandardCharsets.UTF_8)))
                    .forEach(r -> started.add(traceId(r)));
            assertThat(started)
                    .singleElement()
                    .satisfies(id -> assertThat(id)
                            .matches("[0-9a-f]{32}")
                            .isNotEqualTo("0".repeat(32))
                            .isNotEqualTo(TRACE_ID));
            assertThat(application.handled()).isPositive();
        }
    }

    /** Succeeds, except: the first try of each payment (retried), and every refund (failed for good). */
    private static Ack answer(WorkflowMessage message) {
        if (message.getMessageName().equals("Pay") && !message.getMessageId().contains("/attempt-")) {
            return Ack.failed("Busy", ErrorCategories.TRANSIENT, "the bank is busy");
        }
        if (message.getMessageName().equals("Refund")) {
            return Ack.failed("Refused", ErrorCategories.PERMANENT, "nothing to refund");
        }
        return Ack.succeeded();
    }

    /** Every metric of the catalogue this process serves has samples, but those the test leaves out. */
    private static void assertServes(PrometheusText scrape, Setting.Reader process, Set<LooplineMetric> without) {
        for (LooplineMetric metric : LooplineMetrics.ALL) {
            if (metric.servedBy().contains(process) && !without.contains(metric)) {
                String sample = metric.kind() == LooplineMetric.Kind.HISTOGRAM
                        ? metric.prometheusName() + "_count"
                        : metric.prometheusName();
                assertThat(scrape.names()).as("%s serves %s", process, sample).contains(sample);
            }
        }
    }

    /** Runs deploy/probe.sh as the kubelet would; its exit status. */
    private static int probe(String key, String path, String port) throws Exception {
        ProcessBuilder probe = new ProcessBuilder("bash", "../deploy/probe.sh", path, port).inheritIO();
        probe.environment().put("PROBE_API_KEY", key);
        Process process = probe.start();
        assertThat(process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        return process.exitValue();
    }

    private static PrometheusText scrape(GatewayClient process) {
        GatewayClient.Response response = process.get("/metrics");
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return PrometheusText.parse(response.body());
    }

    private static String traceId(ConsumerRecord<?, ?> record) {
        Header header = record.headers().lastHeader("traceparent");
        assertThat(header).as("traceparent on %s", record).isNotNull();
        return new String(header.value(), StandardCharsets.UTF_8).split("-")[1];
    }

    private static String event(String eventId, String entityType) {
        return """
                {"eventId":"%s","source":"erp","entityType":"%s","entityId":"%s","messageName":"Created"}""".formatted(eventId, entityType, eventId);
    }

    private static WorkflowDefinition active(String document) {
        return WorkflowDefinition.newBuilder(new DefinitionCompiler().compile(document, Instant.now()))
                .setStatus(DefinitionStatus.ACTIVE)
                .setVersion(1)
                .build();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
