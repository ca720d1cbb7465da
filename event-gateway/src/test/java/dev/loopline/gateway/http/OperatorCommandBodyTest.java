package dev.loopline.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.loopline.api.internal.OperatorAction;
import dev.loopline.definition.json.FieldError;
import dev.loopline.definition.json.InvalidDocumentException;
import org.junit.jupiter.api.Test;

class OperatorCommandBodyTest {

    @Test
    void shouldAskForCompensationOnlyOnACancelThatSaysSo() throws Exception {
        assertThat(InstanceRoutes.command(OperatorAction.CANCEL, Json.MAPPER.readTree("{\"compensate\":true}"), "ops")
                        .getCompensate())
                .isTrue();
        assertThat(InstanceRoutes.command(OperatorAction.CANCEL, Json.MAPPER.readTree("{}"), "ops")
                        .getCompensate())
                .isFalse();
    }

    @Test
    void shouldRefuseCompensationOnAnotherActionOrAsAnythingButABoolean() {
        InvalidDocumentException pause = catchThrowableOfType(
                InvalidDocumentException.class,
                () -> InstanceRoutes.command(
                        OperatorAction.PAUSE, Json.MAPPER.readTree("{\"compensate\":true}"), "ops"));
        InvalidDocumentException text = catchThrowableOfType(
                InvalidDocumentException.class,
                () -> InstanceRoutes.command(
                        OperatorAction.CANCEL, Json.MAPPER.readTree("{\"compensate\":\"yes\"}"), "ops"));

        assertThat(pause.errors()).extracting(FieldError::message).containsExactly("only a cancel compensates");
        assertThat(text.errors()).extracting(FieldError::field).containsExactly("compensate");
    }
}
