package dev.loopline.runtime.domain;

import static dev.loopline.runtime.domain.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.internal.InstanceRecord;
import dev.loopline.api.internal.OperatorAction;
import dev.loopline.api.internal.OperatorCommand;
import dev.loopline.api.internal.StartInstance;
import dev.loopline.api.v1.AckError;
import dev.loopline.api.v1.Acknowledgement;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.Outcome;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.definition.expression.Expressions;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** What one instance may not do to the others, and what nobody may do to an instance. */
class InstanceGuardsTest {

    private static final String ID = "instance-1";

    private final InstanceMachine machine = Fixtures.machine();

    @Nested
    class Limits {

        /** 16 characters, doubled by each of 13 set-variable steps: 64 KiB after 12, over the limit at 13. */
        private final WorkflowDefinition doubling = Fixtures.definitionOf(
                "{\"name\":\"seed\",\"kind\":\"set-variable\",\"variable\":\"text\",\"value\":\"'0123456789abcdef'\"},"
                        + IntStream.rangeClosed(1, 13)
                                .mapToObj(
                                        i -> "{\"name\":\"double" + i
                                                + "\",\"kind\":\"set-variable\",\"variable\":\"text\",\"value\":\"vars.text + vars.text\"},")
                                .collect(Collectors.joining())
                        + "{\"name\":\"never\",\"kind\":\"send-message\",\"messageName\":\"Never\"}");

        @Test
        void shouldFailAnInstanceWhoseVariablesWouldExceedTheLimitAsItWasBefore() {
            InstanceRecord waiting = started(doubling);

            Decision decision =
                    machine.acknowledge(waiting, Fixtures.acknowledgement(ID, ID + "/started", Outcome.SUCCEEDED), T0);

            assertThat(Fixtures.statuses(decision)).containsExactly(20, 31);
            assertThat(decision.messages()).isEmpty();
            InstanceRecord failed = decision.next().orElseThrow();
            assertThat(failed.getErrorCode()).isEqualTo(InstanceLimits.ERROR_CODE);
            assertThat(failed.getErrorMessage()).contains("over the limit of 65536");
            assertThat(failed.getVariables()).isEqualTo(waiting.getVariables());
            assertThat(Fixtures.last(decision).getErrorCode()).isEqualTo(InstanceLimits.ERROR_CODE);
        }

        @Test
        void shouldRunTheSameDefinitionToItsEndUnderALargerLimit() {
            InstanceMachine roomy = new InstanceMachine(
                    new Expressions(),
                    FailurePolicy.defaults(),
                    InstanceMachine.DEFAULT_RETENTION,
                    new InstanceLimits(1 << 20, 1 << 20, 1 << 20),
                    Fixtures.TOKENS);
            InstanceRecord waiting = roomy.start(ID, start(doubling), T0).next().orElseThrow();

            Decision decision =
                    roomy.acknowledge(waiting, Fixtures.acknowledgement(ID, ID + "/started", Outcome.SUCCEEDED), T0);

            assertThat(Fixtures.statuses(decision)).containsExactly(20, 10);
            assertThat(decision.messages()).extracting(m -> m.getMessageName()).containsExactly("Never");
        }

        @Test
        void shouldFailAnInstanceWhoseMessagePayloadWouldExceedTheLimit() {
            String text = "x".repeat(60_000);
            // the compiler refuses a document this large; one from an older gateway is still bounded here
            WorkflowDefinition large = Fixtures.definitionOf("""
                    {"name":"send","kind":"send-message","messageName":"Big"}""");
            large.getSteps().get(0).setPayload(Map.of("a", text, "b", text, "c", text));

            Decision decision = machine.acknowledge(
                    started(large), Fixtures.acknowledgement(ID, ID + "/started", Outcome.SUCCEEDED), T0);

            assertThat(Fixtures.statuses(decision)).containsExactly(20, 31);
            assertThat(decision.messages()).isEmpty();
            assertThat(Fixtures.last(decision).getErrorMessage())
                    .contains("the payload of message " + ID + "/step-0 take 180003 bytes, over the limit of 131072");
        }

        @Test
        void shouldKeepOnlyTheStartOfAVeryLongErrorFromTheApplication() {
            WorkflowDefinition one = Fixtures.definitionOf("""
                    {"name":"send","kind":"send-message","messageName":"M"}""");
            InstanceRecord waiting = machine.acknowledge(
                            started(one), Fixtures.acknowledgement(ID, ID + "/started", Outcome.SUCCEEDED), T0)
                    .next()
                    .orElseThrow();
            Acknowledgement failed = Fixtures.acknowledgement(ID, ID + "/step-0", Outcome.FAILED);
            failed.setError(new AckError("Boom", "e".repeat(1_000_000), null));

            Decision decision = machine.acknowledge(waiting, failed, T0);

            InstanceRecord after = decision.next().orElseThrow();
            assertThat(after.getErrorMessage()).hasSizeLessThan(InstanceLimits.MAX_TEXT_CHARS + 100);
            assertThat(after.getErrorMessage()).endsWith("(1000000 characters)");
            assertThat(Fixtures.last(decision).getReason()).hasSizeLessThan(InstanceLimits.MAX_TEXT_CHARS + 200);
        }

        @Test
        void shouldCountUtf8BytesAsAvroWritesThem() {
            assertThat(InstanceLimits.utf8Length("aé€😀")).isEqualTo(1 + 2 + 3 + 4);
            assertThat(InstanceLimits.sizeOf(42L)).isEqualTo(8);
            assertThat(InstanceLimits.sizeOf(null)).isEqualTo(1);
        }
    }

    @Nested
    class ReplyTokenEcho {

        private final WorkflowDefinition one = Fixtures.definitionOf("""
                {"name":"send","kind":"send-message","messageName":"M"}""");

        @Test
        void shouldRejectAnAcknowledgementThatDoesNotEchoTheMessagesToken() {
            InstanceRecord waiting = started(one);
            Acknowledgement forged = Fixtures.acknowledgement(ID, ID + "/started", Outcome.FAILED);
            forged.setReplyToken("guessed");
            Acknowledgement bare = Fixtures.acknowledgement(ID, ID + "/started", Outcome.FAILED);
            bare.setReplyToken(null);

            assertThat(machine.acknowledge(waiting, forged, T0).isRejected()).isTrue();
            assertThat(machine.acknowledge(waiting, bare, T0).isRejected()).isTrue();
            assertThat(machine.acknowledge(
                                    waiting, Fixtures.acknowledgement(ID, ID + "/started", Outcome.SUCCEEDED), T0)
                            .isRejected())
                    .isFalse();
        }

        @Test
        void shouldPostEachMessageWithTheTokenItsWaitExpects() {
            InstanceRecord waiting = started(one);
            Decision decision =
                    machine.acknowledge(waiting, Fixtures.acknowledgement(ID, ID + "/started", Outcome.SUCCEEDED), T0);

            assertThat(decision.messages().get(0).getReplyToken()).isEqualTo(Fixtures.TOKEN);
            assertThat(decision.next().orElseThrow().getWait().getReplyToken()).isEqualTo(Fixtures.TOKEN);
        }

        @Test
        void shouldAcceptAnyAcknowledgementForAWaitStoredWithoutAToken() {
            InstanceRecord waiting = started(one);
            waiting.getWait().setReplyToken(null);
            Acknowledgement bare = Fixtures.acknowledgement(ID, ID + "/started", Outcome.SUCCEEDED);
            bare.setReplyToken(null);

            assertThat(Fixtures.statuses(machine.acknowledge(waiting, bare, T0)))
                    .containsExactly(20, 10);
        }

        @Test
        void shouldDrawUnguessableTokens() {
            ReplyTokens random = ReplyTokens.random();
            Set<String> drawn = new HashSet<>();
            for (int i = 0; i < 1_000; i++) {
                drawn.add(random.next());
            }

            assertThat(drawn)
                    .hasSize(1_000)
                    .allSatisfy(token -> assertThat(token).matches("[A-Za-z0-9_-]{22}"));
        }
    }

    @Test
    void shouldNameTheOperatorOnTheTransitionsOfItsAction() {
        InstanceRecord waiting = started(Fixtures.definitionOf("""
                {"name":"send","kind":"send-message","messageName":"M"}"""));
        OperatorCommand cancel = OperatorCommand.newBuilder()
                .setRequestId("r-1")
                .setAction(OperatorAction.CANCEL)
                .setPrincipal("alice")
                .build();

        OperatorOutcome outcome = machine.operate(waiting, cancel, T0);

        assertThat(outcome.decision().transitions())
                .extracting(InstanceTransition::getPrincipal)
                .containsExactly("alice", "alice");
        assertThat(machine.acknowledge(waiting, Fixtures.acknowledgement(ID, ID + "/started", Outcome.SUCCEEDED), T0)
                        .transitions())
                .extracting(InstanceTransition::getPrincipal)
                .containsOnlyNulls();
    }

    private StartInstance start(WorkflowDefinition definition) {
        return Fixtures.startOf(definition, Fixtures.expenseSubmitted("event-1", "report-7"))
                .build();
    }

    private InstanceRecord started(WorkflowDefinition definition) {
        return machine.start(ID, start(definition), T0).next().orElseThrow();
    }
}
