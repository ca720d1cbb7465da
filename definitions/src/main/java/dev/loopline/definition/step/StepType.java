package dev.loopline.definition.step;

/**
 * A kind of step as definitions write it: its fields, their JSON Schema, and the instructions it
 * compiles to. Most kinds compile to one instruction of their own type, and their class is also
 * that instruction's {@link StepBehavior}: one class says what a step is and what it does.
 */
public non-sealed interface StepType extends StepPart {

    /**
     * The JSON Schema of the step's own fields: an object schema with {@code properties} (every step
     * also has {@code name} and {@code kind}) and, if need be, {@code required} and other keywords.
     * It is the kind's branch in {@code definition.schema.json}, and its properties are the fields
     * the compiler accepts.
     */
    String schema();

    /**
     * Reads the document step and appends its instructions to the program; a field that is wrong is
     * reported on the document with its path, and compiling goes on so that every error is found.
     */
    void compile(StepDocument step, Program program);
}
