package dev.loopline.runtime.topology;

import dev.loopline.api.internal.InstanceRecord;
import dev.loopline.api.v1.Acknowledgement;
import dev.loopline.definition.expression.Expressions;
import dev.loopline.runtime.domain.Decision;
import dev.loopline.runtime.domain.InstanceMachine;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resumes instances with the application's acknowledgements. A repeated acknowledgement is
 * ignored; one for an instance that does not exist is rejected to the dead-letter topic.
 */
final class AcknowledgementProcessor implements Processor<String, Acknowledgement, String, Object> {

    private static final Logger log = LoggerFactory.getLogger(AcknowledgementProcessor.class);

    private final InstanceMachine machine;
    private DecisionWriter writer;
    private ProcessorContext<String, Object> context;

    AcknowledgementProcessor(TopologyOptions options) {
        this.machine = new InstanceMachine(new Expressions(), options.failurePolicy(), options.retention());
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        writer = new DecisionWriter(context);
    }

    @Override
    public void process(Record<String, Acknowledgement> record) {
        Acknowledgement ack = record.value();
        if (ack == null) {
            throw new RejectedRecordException("acknowledgement without a value");
        }
        if (!ack.getInstanceId().equals(record.key())) {
            throw new RejectedRecordException(
                    "acknowledgement keyed " + record.key() + " names instance " + ack.getInstanceId());
        }
        InstanceRecord instance = writer.instances()
                .get(ack.getInstanceId())
                .orElseThrow(() -> new RejectedRecordException(
                        "acknowledgement " + ack.getMessageId() + " for unknown instance " + ack.getInstanceId()));
        long time = ProcessingTime.of(record, context);
        Decision decision = machine.acknowledge(instance, ack, Instant.ofEpochMilli(time));
        if (decision.isIgnored()) {
            log.debug(
                    "instance {}: acknowledgement ignored, {}",
                    ack.getInstanceId(),
                    decision.ignoredBecause().get());
            return;
        }
        writer.apply(time, decision);
    }
}
