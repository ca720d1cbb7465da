package dev.loopline.runtime.domain;

import dev.loopline.api.internal.InstanceRecord;
import dev.loopline.api.internal.StartInstance;
import dev.loopline.api.v1.AckError;
import dev.loopline.api.v1.Acknowledgement;
import dev.loopline.api.v1.InstanceState;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.MessageKind;
import dev.loopline.api.v1.Outcome;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.Step;
import dev.loopline.api.v1.StepKind;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.api.v1.WorkflowMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The workflow instance state machine: (instance, input, now) → {@link Decision}. Pure: no Kafka,
 * no clock, no I/O; the caller passes the record time in and commits the decision atomically.
 *
 * <p>The life of an instance (Dynamics' asynchronous operation):
 *
 * <pre>
 *   start ─▶ Ready(0) ─▶ Locked(20) ─▶ post "workflow started" ─▶ Suspended(10, waiting for ack)
 *   ack   ─▶ Locked(20) ─▶ next step: post its message ─▶ Suspended(10, waiting for ack)
 *                        └▶ no step left ─▶ Completed/Succeeded(30)
 *   failed ack ─▶ Locked(20) ─▶ Completed/Failed(31)
 * </pre>
 *
 * An input that the instance does not wait for (a second start of the same instance, a repeated
 * or unexpected acknowledgement, anything after completion) is ignored: that is how duplicates
 * from an at-least-once publisher or handler change nothing.
 */
public final class InstanceMachine {

    /** The state of a new instance for this start command. */
    public Decision start(String instanceId, StartInstance start, Instant now) {
        PlatformEvent trigger = start.getTrigger();
        InstanceRecord instance = InstanceRecord.newBuilder()
                .setInstanceId(instanceId)
                .setDefinition(start.getDefinition())
                .setTrigger(trigger)
                .setState(InstanceState.READY)
                .setStatusCode(Status.WAITING_FOR_RESOURCES.code())
                .setStepIndex(-1)
                .setTransitionCount(0)
                .setCreatedAt(now)
                .setUpdatedAt(now)
                .build();
        Changes changes = new Changes(instance, now);
        changes.moveTo(
                Status.WAITING_FOR_RESOURCES,
                "triggered by " + trigger.getMessageName() + " on " + trigger.getEntityType() + " "
                        + trigger.getEntityId() + " (event " + trigger.getEventId() + ")");
        changes.moveTo(Status.IN_PROGRESS, "started");
        changes.post(
                InstanceIds.startedMessageId(instanceId), MessageKind.WORKFLOW_STARTED, "WorkflowStarted", Map.of());
        return changes.decision();
    }

    /** Applies an application's acknowledgement to the instance waiting for it. */
    public Decision acknowledge(InstanceRecord current, Acknowledgement ack, Instant now) {
        if (current.getState() == InstanceState.COMPLETED) {
            return Decision.ignored("instance already completed");
        }
        if (current.getAwaitingMessageId() == null
                || !current.getAwaitingMessageId().equals(ack.getMessageId())) {
            return Decision.ignored("not waiting for message " + ack.getMessageId() + " (waiting for "
                    + current.getAwaitingMessageId() + ")");
        }
        Changes changes = new Changes(InstanceRecord.newBuilder(current).build(), now);
        changes.instance.setAwaitingMessageId(null);
        changes.moveTo(Status.IN_PROGRESS, "acknowledged " + ack.getMessageId());
        if (ack.getOutcome() == Outcome.FAILED) {
            changes.moveTo(Status.FAILED, failureReason(current, ack.getError()));
            return changes.decision();
        }
        changes.recordOutput(current, ack.getOutput());
        runNextStep(changes, current.getStepIndex() + 1);
        return changes.decision();
    }

    private static void runNextStep(Changes changes, int index) {
        List<Step> steps = changes.instance.getDefinition().getSteps();
        if (index >= steps.size()) {
            changes.moveTo(Status.SUCCEEDED, "all " + steps.size() + " steps completed");
            return;
        }
        Step step = steps.get(index);
        changes.instance.setStepIndex(index);
        if (step.getKind() == StepKind.SEND_MESSAGE) {
            String messageId = InstanceIds.stepMessageId(changes.instance.getInstanceId(), index);
            changes.post(messageId, MessageKind.STEP_REQUEST, step.getMessageName(), step.getPayload());
        } else {
            changes.moveTo(Status.FAILED, "step " + step.getName() + ": unsupported kind " + step.getKind());
        }
    }

    private static String failureReason(InstanceRecord current, AckError error) {
        String where = current.getStepIndex() < 0
                ? "workflow started"
                : "step "
                        + current.getDefinition()
                                .getSteps()
                                .get(current.getStepIndex())
                                .getName();
        return where + " failed: " + (error == null ? "no error given" : error.getCode() + ": " + error.getMessage());
    }

    /** Accumulates one decision: the changed instance, posted messages and transitions in order. */
    private static final class Changes {
        private final InstanceRecord instance;
        private final Instant now;
        private final List<WorkflowMessage> messages = new ArrayList<>();
        private final List<InstanceTransition> transitions = new ArrayList<>();

        Changes(InstanceRecord instance, Instant now) {
            this.instance = instance;
            this.now = now;
        }

        void moveTo(Status status, String reason) {
            instance.setState(status.state());
            instance.setStatusCode(status.code());
            instance.setReason(reason);
            instance.setUpdatedAt(now);
            instance.setTransitionCount(instance.getTransitionCount() + 1);
            WorkflowDefinition definition = instance.getDefinition();
            transitions.add(InstanceTransition.newBuilder()
                    .setInstanceId(instance.getInstanceId())
                    .setDefinitionId(definition.getId())
                    .setDefinitionVersion(definition.getVersion())
                    .setSequence(instance.getTransitionCount())
                    .setState(status.state())
                    .setStatusCode(status.code())
                    .setTimestamp(now)
                    .setReason(reason)
                    .build());
        }

        /** Posts a message and suspends the instance until its acknowledgement. */
        void post(String messageId, MessageKind kind, String name, Map<String, Object> payload) {
            WorkflowDefinition definition = instance.getDefinition();
            PlatformEvent trigger = instance.getTrigger();
            messages.add(WorkflowMessage.newBuilder()
                    .setMessageId(messageId)
                    .setInstanceId(instance.getInstanceId())
                    .setDefinitionId(definition.getId())
                    .setDefinitionVersion(definition.getVersion())
                    .setKind(kind)
                    .setMessageName(name)
                    .setEntityType(trigger.getEntityType())
                    .setEntityId(trigger.getEntityId())
                    .setPayload(new HashMap<>(payload))
                    .setCreatedAt(now)
                    .build());
            instance.setAwaitingMessageId(messageId);
            moveTo(Status.WAITING, "waiting for acknowledgement of " + messageId);
        }

        /** Step outputs become variables "<step name>.<key>"; the started message's output "started.<key>". */
        void recordOutput(InstanceRecord before, Map<String, Object> output) {
            if (output.isEmpty()) {
                return;
            }
            String prefix = before.getStepIndex() < 0
                    ? "started"
                    : before.getDefinition()
                            .getSteps()
                            .get(before.getStepIndex())
                            .getName();
            Map<String, Object> variables = new HashMap<>(instance.getVariables());
            output.forEach((key, value) -> variables.put(prefix + "." + key, value));
            instance.setVariables(variables);
        }

        Decision decision() {
            return Decision.changed(instance, messages, transitions);
        }
    }
}
