package dev.loopline.definition.step;

import dev.loopline.api.v1.Step;

/**
 * {@code set-variable}: sets {@code vars.<variable>} to an expression's value. The value is checked
 * against the instance limits at once, not only when the run ends: a loop that doubles a text must
 * stop here.
 */
final class SetVariableStep implements StepType, StepBehavior {

    @Override
    public String name() {
        return "set-variable";
    }

    @Override
    public String schema() {
        return """
                {"properties": {
                   "variable": {"$ref": "#/$defs/name"},
                   "value": {"$ref": "#/$defs/expression"}},
                 "required": ["variable", "value"]}
                """;
    }

    @Override
    public void compile(StepDocument step, Program program) {
        Step.Builder instruction = program.emit(step.name(), name());
        String variable = step.text("variable", true);
        if (variable != null && !variable.matches("[A-Za-z_][A-Za-z0-9_]{0,63}")) {
            step.error("variable", "expected an identifier, usable as vars.<name>");
        }
        instruction.setVariable(variable);
        instruction.setExpression(step.expression("value", true));
    }

    @Override
    public Next start(Step step, StepContext context) {
        context.setVariable(step.getVariable(), context.value(step.getExpression()));
        return Next.following(context);
    }
}
