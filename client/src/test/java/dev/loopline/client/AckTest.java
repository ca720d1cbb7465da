package dev.loopline.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loopline.api.ErrorCategories;
import dev.loopline.api.v1.Acknowledgement;
import dev.loopline.api.v1.MessageKind;
import dev.loopline.api.v1.Outcome;
import dev.loopline.api.v1.WorkflowMessage;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AckTest {

    private static final WorkflowMessage MESSAGE = WorkflowMessage.newBuilder()
            .setMessageId("i-1/step-0")
            .setInstanceId("i-1")
            .setDefinitionId("expenses")
            .setDefinitionVersion(1)
            .setKind(MessageKind.STEP_REQUEST)
            .setMessageName("RequestApproval")
            .setEntityType("expense_report")
            .setEntityId("ER-1")
            .setCreatedAt(Instant.EPOCH)
            .setReplyToken("token-1")
            .build();

    @Test
    void shouldAnswerTheMessageItIsGivenEchoingItsReplyToken() {
        Acknowledgement ack = Ack.succeeded(Map.of("approved", true)).toRecord(MESSAGE);

        assertThat(ack.getMessageId()).isEqualTo("i-1/step-0");
        assertThat(ack.getInstanceId()).isEqualTo("i-1");
        assertThat(ack.getReplyToken()).isEqualTo("token-1");
        assertThat(ack.getOutcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(ack.getOutput()).containsEntry("approved", true);
        assertThat(ack.getError()).isNull();
    }

    @Test
    void shouldKeepOutputValuesInTheTypesTheSchemaAllows() {
        Map<String, Object> output = new HashMap<>();
        output.put("count", 3);
        output.put("ratio", 0.5f);
        output.put("name", new StringBuilder("Ada"));
        output.put("none", null);

        assertThat(Ack.succeeded(output).output())
                .containsEntry("count", 3L)
                .containsEntry("ratio", 0.5d)
                .containsEntry("name", "Ada")
                .containsEntry("none", null);
        assertThatThrownBy(() -> Ack.succeeded(Map.of("when", Instant.EPOCH)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("output 'when' is a java.time.Instant");
    }

    @Test
    void shouldNameTheFailurePolicysCategoriesInItsHelpers() {
        assertThat(Ack.retry("Busy", "try later").errorCategory()).contains(ErrorCategories.TRANSIENT);
        assertThat(Ack.suspend("Review", "a person decides").errorCategory()).contains(ErrorCategories.SUSPEND);
        assertThat(Ack.fail("Voided", "never").errorCategory()).contains(ErrorCategories.PERMANENT);

        Acknowledgement failed = Ack.failed("E1", null, "broken").toRecord(MESSAGE);
        assertThat(failed.getOutcome()).isEqualTo(Outcome.FAILED);
        assertThat(failed.getError().getCode()).isEqualTo("E1");
        assertThat(failed.getError().getMessage()).isEqualTo("broken");
        assertThat(failed.getError().getCategory()).isNull();
    }

    @Test
    void shouldTurnAThrownExceptionIntoARetry() {
        Ack ack = Ack.thrown(new IllegalStateException("db down"));

        assertThat(ack.isSucceeded()).isFalse();
        assertThat(ack.errorCode()).contains("IllegalStateException");
        assertThat(ack.errorCategory()).contains(ErrorCategories.TRANSIENT);
        assertThat(ack.errorMessage()).contains("db down");
    }

    @Test
    void shouldHaveNothingToSendForLater() {
        assertThat(Ack.later().isLater()).isTrue();
        assertThat(Ack.succeeded().isLater()).isFalse();
        assertThatThrownBy(() -> Ack.later().toRecord(MESSAGE)).isInstanceOf(IllegalStateException.class);
    }
}
