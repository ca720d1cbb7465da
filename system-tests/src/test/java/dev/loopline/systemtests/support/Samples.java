package dev.loopline.systemtests.support;

import dev.loopline.api.v1.DefinitionStatus;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.Step;
import dev.loopline.api.v1.StepKind;
import dev.loopline.api.v1.Trigger;
import dev.loopline.api.v1.WorkflowDefinition;
import java.time.Instant;
import java.util.List;

/** Avro records for tests that write to topics directly. */
public final class Samples {

    private Samples() {}

    public static WorkflowDefinition activeOneStep(String id, String entityType, String messageName) {
        return WorkflowDefinition.newBuilder()
                .setId(id)
                .setVersion(1)
                .setName(id)
                .setStatus(DefinitionStatus.ACTIVE)
                .setTrigger(Trigger.newBuilder()
                        .setEntityType(entityType)
                        .setMessageName(messageName)
                        .build())
                .setSteps(List.of(Step.newBuilder()
                        .setName("approval")
                        .setKind(StepKind.SEND_MESSAGE)
                        .setMessageName("RequestApproval")
                        .build()))
                .setUpdatedAt(Instant.now())
                .build();
    }

    public static PlatformEvent event(String eventId, String entityType, String entityId, String messageName) {
        return PlatformEvent.newBuilder()
                .setEventId(eventId)
                .setSource("it")
                .setEntityType(entityType)
                .setEntityId(entityId)
                .setMessageName(messageName)
                .setOccurredAt(Instant.now())
                .build();
    }
}
