package dev.loopline.definition.step;

import dev.loopline.api.v1.Step;

/**
 * {@code log}: writes an entry to the instance's audit trail, such as why a branch was taken, and
 * goes on. The entry is a CEL expression over the instance's variables ({@code "'over the limit: ' +
 * string(trigger.attributes.amount)"}); it shows as an In-progress transition's reason.
 */
final class LogStep implements StepType, StepBehavior {

    @Override
    public String name() {
        return "log";
    }

    @Override
    public String schema() {
        return """
                {"properties": {"entry": {"$ref": "#/$defs/expression"}},
                 "required": ["entry"]}
                """;
    }

    @Override
    public void compile(StepDocument step, Program program) {
        program.emit(step.name(), name()).setExpression(step.expression("entry", true));
    }

    @Override
    public Next start(Step step, StepContext context) {
        context.audit(String.valueOf(context.value(step.getExpression())));
        return Next.following(context);
    }
}
