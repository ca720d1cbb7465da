package dev.loopline.definition.step;

import dev.loopline.api.v1.EventWait;
import dev.loopline.api.v1.Step;
import java.util.List;
import java.util.Set;

/**
 * {@code wait-for-event}: waits for a platform event on the entity whose key field matches the
 * step's key expression; the event's attributes become the step's output. When the timeout passes,
 * the {@code onTimeout} branch runs, or the instance fails.
 */
final class WaitForEventStep implements StepType, StepBehavior {

    private static final Set<String> EVENT_FIELDS = Set.of("entityType", "messageName", "keyField", "key");

    @Override
    public String name() {
        return "wait-for-event";
    }

    @Override
    public String schema() {
        return """
                {"properties": {
                   "event": {
                     "type": "object",
                     "required": ["entityType", "messageName", "key"],
                     "additionalProperties": false,
                     "properties": {
                       "entityType": {"type": "string", "minLength": 1},
                       "messageName": {"$ref": "#/$defs/names"},
                       "keyField": {"type": "string", "minLength": 1,
                                    "description": "entityId (default) or an attribute name."},
                       "key": {"$ref": "#/$defs/expression"}}},
                   "until": {"$ref": "#/$defs/expression"},
                   "timeout": {"$ref": "#/$defs/duration"},
                   "onTimeout": {"$ref": "#/$defs/steps"}},
                 "required": ["event"]}
                """;
    }

    @Override
    public void compile(StepDocument step, Program program) {
        Step.Builder instruction = program.emit(step.name(), name());
        StepDocument event = step.nested("event", true);
        if (event != null) {
            event.onlyKnown(EVENT_FIELDS);
            String entityType = event.text("entityType", true);
            List<String> messages = event.names("messageName");
            String keyField = event.text("keyField", "entityId");
            instruction.setEvent(EventWait.newBuilder()
                    .setEntityType(entityType == null ? "" : entityType)
                    .setMessageNames(messages)
                    .setKeyField(keyField == null ? "entityId" : keyField)
                    .setKeyExpression(event.expression("key", true))
                    .setUntil(step.expression("until", false))
                    .build());
        }
        program.timeoutBranch(step, instruction);
    }

    @Override
    public Next start(Step step, StepContext context) {
        String key = context.key(step.getEvent().getKeyExpression());
        context.waitForEvent(step, key, Timeouts.dueAt(step, context));
        return Next.halt();
    }

    @Override
    public Next timerFired(Step step, StepContext context, String timedOut) {
        return StepBehavior.timeoutBranch(step, context, timedOut);
    }
}
