package dev.loopline.runtime.domain.step;

import dev.loopline.api.v1.StepKind;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/** The behaviour of every step kind, in one map. A new step kind is one class and one line here. */
public final class StepBehaviors {

    private static final StepBehavior UNKNOWN = new UnknownStep();
    private static final Map<StepKind, StepBehavior> BEHAVIORS = behaviors();

    private StepBehaviors() {}

    private static Map<StepKind, StepBehavior> behaviors() {
        Map<StepKind, StepBehavior> behaviors = new EnumMap<>(StepKind.class);
        behaviors.put(StepKind.SEND_MESSAGE, new SendMessageStep());
        behaviors.put(StepKind.UPSERT_ENTITY, new UpsertEntityStep());
        behaviors.put(StepKind.CREATE_TASK, new CreateTaskStep());
        behaviors.put(StepKind.WAIT_FOR_EVENT, new WaitForEventStep());
        behaviors.put(StepKind.DELAY, new DelayStep());
        behaviors.put(StepKind.BRANCH_UNLESS, new BranchUnlessStep());
        behaviors.put(StepKind.JUMP, new JumpStep());
        behaviors.put(StepKind.SET_VARIABLE, new SetVariableStep());
        behaviors.put(StepKind.STOP, new StopStep());
        behaviors.put(StepKind.UNKNOWN, UNKNOWN);
        return Collections.unmodifiableMap(behaviors);
    }

    /** The behaviour of a step kind; one this runtime does not know fails its instance. */
    public static StepBehavior of(StepKind kind) {
        return BEHAVIORS.getOrDefault(kind, UNKNOWN);
    }

    /** The kinds with a behaviour of their own. */
    public static Map<StepKind, StepBehavior> all() {
        return BEHAVIORS;
    }
}
