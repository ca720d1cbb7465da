package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loopline.api.TopicProvisioner;
import dev.loopline.api.Topics;
import dev.loopline.api.v1.WorkflowMessage;
import dev.loopline.gateway.EventGateway;
import dev.loopline.gateway.GatewayConfig;
import dev.loopline.runtime.LooplineRuntime;
import dev.loopline.runtime.config.RuntimeConfig;
import dev.loopline.runtime.domain.InstanceIds;
import dev.loopline.systemtests.support.GatewayClient;
import dev.loopline.systemtests.support.Records;
import dev.loopline.systemtests.support.Samples;
import dev.loopline.systemtests.support.TestRuntime;
import dev.loopline.systemtests.support.TestTopics;
import dev.loopline.systemtests.support.TopicReader;
import dev.loopline.testsupport.infra.Infrastructure;
import dev.loopline.testsupport.junit.LooplineInfrastructureExtension;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An application without a Kafka client answers a workflow's messages over HTTP, through a
 * gateway: each answer is written with the message's reply token and resumes the instance; the
 * same answer again changes nothing (200), a different one is refused (409), and a message nobody
 * posted is not found (404).
 */
@ExtendWith(LooplineInfrastructureExtension.class)
class HttpAcknowledgementIT {

    private static final String APPROVED = """
            {"outcome":"succeeded","output":{"approved":true,"approver":"m.manager"}}""";

    @Test
    void shouldResumeAnInstanceWithAnswersGivenOverHttp(Infrastructure infra) throws Exception {
        // given
        Topics topics = TestTopics.unique("http-acks");
        try (Admin admin = infra.admin()) {
            TopicProvisioner.ensureTopics(admin, topics, 3, (short) 1);
        }
        Map<String, String> settings = TestRuntime.settings(infra, topics);
        settings.put("LOOPLINE_HTTP_HOST", "127.0.0.1");
        settings.put("LOOPLINE_HTTP_PORT", "0");
        try (LooplineRuntime runtime = LooplineRuntime.start(RuntimeConfig.from(settings));
                EventGateway eventGateway = EventGateway.start(GatewayConfig.from(settings));
                TopicReader<String, WorkflowMessage> messages = TopicReader.messages(infra, topics)) {
            GatewayClient gateway = new GatewayClient(eventGateway.port());
            Records.write(infra, topics, Samples.activeOneStep("expenses", "expense_report", "Submitted"));
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> runtime.catalogEntry("expenses").isPresent());
            assertThat(gateway.post("/v1/events", """
                            {"eventId":"http-1","source":"erp","entityType":"expense_report","entityId":"ER-1",
                             "messageName":"Submitted"}""").status()).isEqualTo(202);
            String instance = InstanceIds.instanceId("http-1", "expenses");
            String started = InstanceIds.startedMessageId(instance);

            // when: "workflow started" is answered (accepted once the query side has the message)
            await().atMost(Duration.ofSeconds(60))
                    .until(
                            () -> gateway.post(ackPath(started), "{\"outcome\":\"succeeded\"}")
                                    .status(),
                            s -> s == 202);

            // then: the same answer again is answered already; a different one is refused
            await().atMost(Duration.ofSeconds(30))
                    .until(
                            () -> gateway.post(ackPath(started), "{\"outcome\":\"succeeded\"}")
                                    .status(),
                            s -> s == 200);
            var different = gateway.post(ackPath(started), """
                    {"outcome":"failed","error":{"code":"Nope","message":"changed my mind"}}""");
            assertThat(different.status()).as(different.body()).isEqualTo(409);
            assertThat(different.contentType()).startsWith("application/problem+json");

            // when: the step's request is answered, approved
            WorkflowMessage step = await().atMost(Duration.ofSeconds(60))
                    .until(
                            () -> messages.poll().stream()
                                    .map(ConsumerRecord::value)
                                    .filter(m -> m.getMessageName().equals("RequestApproval"))
                                    .findFirst()
                                    .orElse(null),
                            m -> m != null);
            assertThat(step.getMessageId()).contains("/"); // it goes in the path as it is
            await().atMost(Duration.ofSeconds(60))
                    .until(
                            () -> gateway.post(ackPath(step.getMessageId()), APPROVED)
                                    .status(),
                            s -> s == 202);

            // then: the instance completes, and the message shows its answer
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> gateway.get("/v1/instances/" + instance)
                                    .json()
                                    .path("statusCode")
                                    .asInt()
                            == 30);
            var read = await().atMost(Duration.ofSeconds(30))
                    .until(
                            () -> gateway.get("/v1/messages/" + step.getMessageId()),
                            r -> r.status() == 200 && !r.json().path("answer").isNull());
            assertThat(read.json()
                            .path("answer")
                            .path("output")
                            .path("approver")
                            .asText())
                    .isEqualTo("m.manager");

            // and: a message nobody posted, a bad answer
            assertThat(gateway.post(ackPath(instance + "/step-9"), APPROVED).status())
                    .isEqualTo(404);
            assertThat(gateway.post(ackPath(step.getMessageId()), "{\"outcome\":\"maybe\"}")
                            .status())
                    .isEqualTo(400);
        }
    }

    private static String ackPath(String messageId) {
        return "/v1/messages/" + messageId + "/ack";
    }
}
