package dev.loopline.definition.step;

/**
 * What a class in {@link StepTypes} is: a kind of step as definitions write it ({@link StepType}),
 * an instruction the runtime runs ({@link StepBehavior}), or, for most kinds, both.
 */
public sealed interface StepPart permits StepType, StepBehavior {

    /** The kind's name as documents write it, and the instruction's type as compiled steps name it. */
    String name();
}
