package dev.loopline.runtime.topology;

import dev.loopline.api.internal.InstanceRecord;
import dev.loopline.api.v1.Acknowledgement;
import dev.loopline.runtime.domain.Decision;
import dev.loopline.runtime.domain.InstanceIds;
import dev.loopline.runtime.domain.InstanceMachine;
import dev.loopline.runtime.store.EarlyAcks;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resumes instances with the application's acknowledgements. A repeated acknowledgement is
 * ignored; one for an instance that does not exist is rejected to the dead-letter topic, except the
 * acknowledgement of a "workflow started" message, which can overtake its instance's start command
 * and waits for it in the "early-acks" store (see {@link EarlyAcks}). One that does not echo its
 * message's reply token is rejected too: it did not come from a reader of the message.
 *
 * <p>Two nodes run it. The one on the acks topic takes acknowledgements on any partition, whatever
 * the client's partitioner or key: one whose instance is not in this task's store is written again
 * to the acks-rerouted topic, keyed by its instance id, which the default partitioner puts on the
 * partition of its instance (the one instance-commands are written to). The node on that topic
 * then decides as above, and never reroutes. An acknowledgement on the right partition, what a
 * Java client keying by instance id sends, is applied at once, without the extra hop.
 */
final class AcknowledgementProcessor implements Processor<String, Acknowledgement, String, Object> {

    private static final Logger log = LoggerFactory.getLogger(AcknowledgementProcessor.class);

    private final InstanceMachine machine;
    private final Duration earlyAckTtl;
    private final boolean mayReroute;
    private final Telemetry telemetry;
    private DecisionWriter writer;
    private ProcessorContext<String, Object> context;

    /**
     * @param mayReroute whether an acknowledgement whose instance is not here goes on to the
     *     acks-rerouted topic (the node on acks) or is decided here (the node on acks-rerouted)
     */
    AcknowledgementProcessor(TopologyOptions options, boolean mayReroute) {
        this.machine = options.machine();
        this.earlyAckTtl = options.correlationTtl();
        this.mayReroute = mayReroute;
        this.telemetry = options.telemetry();
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        writer = new DecisionWriter(context, telemetry.metrics());
    }

    @Override
    public void process(Record<String, Acknowledgement> record) {
        Acknowledgement ack = record.value();
        if (ack == null) {
            throw new RejectedRecordException("acknowledgement without a value");
        }
        if (ack.getInstanceId() == null || ack.getInstanceId().isEmpty()) {
            throw new RejectedRecordException("acknowledgement " + ack.getMessageId() + " names no instance");
        }
        long time = ProcessingTime.of(record, context);
        Optional<InstanceRecord> found = writer.instances().get(ack.getInstanceId());
        if (found.isEmpty() && mayReroute) {
            // its instance, if it exists, is on the partition its id hashes to, maybe another one
            context.forward(
                    new Record<>(ack.getInstanceId(), ack, record.timestamp(), record.headers()),
                    LooplineTopology.ACKS_REROUTE_SINK);
            return;
        }
        if (found.isEmpty()) {
            if (!ack.getMessageId().equals(InstanceIds.startedMessageId(ack.getInstanceId()))) {
                throw new RejectedRecordException(
                        "acknowledgement " + ack.getMessageId() + " for unknown instance " + ack.getInstanceId());
            }
            // "workflow started" is posted with the start command: its ack may overtake that command
            log.debug("instance {}: started acknowledged before the start, kept until it", ack.getInstanceId());
            writer.earlyAcks().put(ack, Instant.ofEpochMilli(time).plus(earlyAckTtl));
            return;
        }
        InstanceRecord instance = found.get();
        try (Telemetry.Work work = telemetry
                .begin("loopline acknowledgement", record.headers(), instance.getTraceParent())
                .instance(instance.getInstanceId(), instance.getDefinition().getId())
                .message(ack.getMessageId())) {
            decide(instance, ack, time, work);
        }
    }

    private void decide(InstanceRecord instance, Acknowledgement ack, long time, Telemetry.Work work) {
        Decision decision = RejectedRecordException.ifItFails(
                "acknowledgement " + ack.getMessageId(),
                () -> machine.acknowledge(instance, ack, Instant.ofEpochMilli(time)));
        if (decision.isRejected()) {
            throw new RejectedRecordException(decision.ignoredBecause().orElseThrow());
        }
        if (decision.isIgnored()) {
            log.debug(
                    "instance {}: acknowledgement ignored, {}",
                    ack.getInstanceId(),
                    decision.ignoredBecause().get());
            return;
        }
        telemetry.metrics().acknowledged(instance, time);
        writer.apply(time, instance, decision, work);
    }
}
