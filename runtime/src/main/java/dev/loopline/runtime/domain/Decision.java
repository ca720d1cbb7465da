package dev.loopline.runtime.domain;

import dev.loopline.api.internal.InstanceRecord;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.WorkflowMessage;
import java.util.List;
import java.util.Optional;

/**
 * What the state machine decided for one input: the instance as it must be stored, the messages to
 * post to the application and the transitions to publish, all to be committed together. An
 * ignored input (a duplicate, or one the instance does not wait for) changes nothing.
 */
public record Decision(
        Optional<InstanceRecord> next,
        List<WorkflowMessage> messages,
        List<InstanceTransition> transitions,
        Optional<String> ignoredBecause) {

    public static Decision ignored(String reason) {
        return new Decision(Optional.empty(), List.of(), List.of(), Optional.of(reason));
    }

    static Decision changed(InstanceRecord next, List<WorkflowMessage> messages, List<InstanceTransition> transitions) {
        return new Decision(Optional.of(next), List.copyOf(messages), List.copyOf(transitions), Optional.empty());
    }

    public boolean isIgnored() {
        return ignoredBecause.isPresent();
    }
}
