package dev.loopline.definition.step;

import dev.loopline.api.Dialogs;
import dev.loopline.api.v1.EventWait;
import dev.loopline.api.v1.Step;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code prompt}: a page of a dialog. It shows its text, and waits for the answers a client posts
 * for it ({@code POST /v1/dialogs/sessions/{id}/responses}), checked against its {@code responses}
 * schema; they become the step's output, {@code steps.<page>.<answer>}, which later steps branch
 * on. A page not answered within its {@code timeout} abandons the session: the instance ends
 * Canceled, the session Incomplete.
 */
final class PromptStep implements StepType, StepBehavior {

    /** The payload entries the gateway shows a client: the page's text and its answers' schema. */
    static final String TEXT = "text";

    static final String RESPONSES = "responses";

    @Override
    public String name() {
        return "prompt";
    }

    @Override
    public String schema() {
        return """
                {"properties": {
                   "text": {"type": "string", "minLength": 1},
                   "responses": {"type": "object"},
                   "timeout": {"$ref": "#/$defs/duration"}},
                 "required": ["text"]}
                """;
    }

    @Override
    public void compile(StepDocument step, Program program) {
        Step.Builder instruction = program.emit(step.name(), name());
        String text = step.text(TEXT, true);
        String responses = step.valuesSchema(RESPONSES);
        Map<String, Object> page = new HashMap<>();
        page.put(TEXT, text == null ? "" : text);
        page.put(RESPONSES, responses == null ? "{}" : responses);
        instruction.setPayload(page);
        instruction.setEvent(EventWait.newBuilder()
                .setEntityType(Dialogs.SESSION_ENTITY_TYPE)
                .setMessageNames(List.of(Dialogs.RESPONSE_MESSAGE))
                .setKeyField("entityId")
                .setKeyExpression("trigger.entityId")
                // step names are identifiers: nothing to escape
                .setUntil("event.attributes." + Dialogs.PAGE_ATTRIBUTE + " == '" + step.name() + "'")
                .build());
        instruction.setTimeoutMillis(step.durationMillis("timeout"));
    }

    @Override
    public Next start(Step step, StepContext context) {
        context.waitForEvent(step, context.key(step.getEvent().getKeyExpression()), Timeouts.dueAt(step, context));
        return Next.halt();
    }

    /** Nobody answered in time: the session is abandoned. */
    @Override
    public Next timerFired(Step step, StepContext context, String timedOut) {
        context.complete(true, "abandoned: page " + step.getName() + " was not answered in time");
        return Next.halt();
    }
}
