package dev.loopline.runtime.topology;

import dev.loopline.api.internal.InstanceCommand;
import dev.loopline.api.internal.StartInstance;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.runtime.domain.InstanceIds;
import dev.loopline.runtime.domain.SubscriptionMatcher;
import dev.loopline.runtime.store.DefinitionCatalog;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Matches each platform event against the active subscriptions and emits one start command per
 * matching definition, re-keyed by the instance id (derived from event id and definition id) onto
 * the instance-commands topic. The command carries a snapshot of the definition version that
 * matched, which the instance keeps for its whole life.
 */
final class EventMatcher implements Processor<String, PlatformEvent, String, InstanceCommand> {

    private ProcessorContext<String, InstanceCommand> context;
    private DefinitionCatalog catalog;

    @Override
    public void init(ProcessorContext<String, InstanceCommand> context) {
        this.context = context;
        this.catalog = DefinitionCatalog.from(context, LooplineTopology.DEFINITIONS_STORE);
    }

    @Override
    public void process(Record<String, PlatformEvent> record) {
        PlatformEvent event = record.value();
        if (event == null) {
            throw new RejectedRecordException("platform event without a value");
        }
        for (WorkflowDefinition definition : catalog.all()) {
            if (SubscriptionMatcher.matches(definition, event)) {
                String instanceId = InstanceIds.instanceId(event.getEventId(), definition.getId());
                InstanceCommand start = InstanceCommand.newBuilder()
                        .setInstanceId(instanceId)
                        .setCommand(StartInstance.newBuilder()
                                .setDefinition(definition)
                                .setTrigger(event)
                                .build())
                        .build();
                context.forward(record.withKey(instanceId).withValue(start));
            }
        }
    }
}
