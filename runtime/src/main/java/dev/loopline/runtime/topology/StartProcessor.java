package dev.loopline.runtime.topology;

import dev.loopline.api.internal.InstanceCommand;
import dev.loopline.api.internal.StartInstance;
import dev.loopline.runtime.domain.Decision;
import dev.loopline.runtime.domain.InstanceMachine;
import dev.loopline.runtime.store.InstanceStore;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts instances. A start for an instance that already exists (a duplicate event) is ignored. */
final class StartProcessor implements Processor<String, InstanceCommand, String, Object> {

    private static final Logger log = LoggerFactory.getLogger(StartProcessor.class);

    private final InstanceMachine machine = new InstanceMachine();
    private InstanceStore instances;
    private DecisionWriter writer;

    @Override
    public void init(ProcessorContext<String, Object> context) {
        instances = InstanceStore.from(context, LooplineTopology.INSTANCES_STORE);
        writer = new DecisionWriter(context, instances);
    }

    @Override
    public void process(Record<String, InstanceCommand> record) {
        InstanceCommand command = record.value();
        if (command == null || !(command.getCommand() instanceof StartInstance start)) {
            throw new RejectedRecordException("instance command without a known command: " + command);
        }
        if (instances.get(command.getInstanceId()).isPresent()) {
            log.debug("instance {} exists: duplicate start ignored", command.getInstanceId());
            return;
        }
        Decision decision = machine.start(command.getInstanceId(), start, Instant.ofEpochMilli(record.timestamp()));
        writer.apply(record, decision);
    }
}
