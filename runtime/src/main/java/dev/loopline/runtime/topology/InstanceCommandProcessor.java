package dev.loopline.runtime.topology;

import dev.loopline.api.internal.ChildCompleted;
import dev.loopline.api.internal.DeliverEvent;
import dev.loopline.api.internal.GrantToken;
import dev.loopline.api.internal.InstanceCommand;
import dev.loopline.api.internal.InstanceRecord;
import dev.loopline.api.internal.OperatorCommand;
import dev.loopline.api.internal.OperatorResult;
import dev.loopline.api.internal.ReleaseToken;
import dev.loopline.api.internal.StartInstance;
import dev.loopline.api.v1.Acknowledgement;
import dev.loopline.api.v1.InstanceState;
import dev.loopline.runtime.domain.Decision;
import dev.loopline.runtime.domain.InstanceMachine;
import dev.loopline.runtime.domain.OperatorOutcome;
import dev.loopline.runtime.store.TimerStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts instances, hands them correlated events and applies operators' actions (answering each on
 * the operator-results topic); also fires due timers, from a wall-clock
 * punctuator that scans the time-ordered timer index (bounded per scan). A start for an instance
 * that exists (a duplicate event) and anything the instance does not wait for are ignored.
 */
final class InstanceCommandProcessor implements Processor<String, InstanceCommand, String, Object> {

    private static final Logger log = LoggerFactory.getLogger(InstanceCommandProcessor.class);

    // the headers Kafka Streams' own dead-letter records carry (KIP-1034)
    private static final String DEAD_LETTER_EXCEPTION = "__streams.errors.exception";
    private static final String DEAD_LETTER_MESSAGE = "__streams.errors.message";
    private static final String DEAD_LETTER_TOPIC = "__streams.errors.topic";

    /**
     * The early-acks store is scanned for expired entries every this many timer intervals (every
     * 5 s by default): an expired entry is dead-lettered at most that much after its TTL.
     */
    private static final int EARLY_ACK_SCAN_EVERY = 25;

    private final TopologyOptions options;
    /** Named in the dead-letter headers of expired early acknowledgements. */
    private final String acksTopic;

    private final InstanceMachine machine;
    private final Telemetry telemetry;
    private DecisionWriter writer;
    private ProcessorContext<String, Object> context;

    InstanceCommandProcessor(TopologyOptions options, String acksTopic) {
        this.options = options;
        this.acksTopic = acksTopic;
        this.machine = options.machine();
        this.telemetry = options.telemetry();
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        writer = new DecisionWriter(context, telemetry.metrics());
        context.schedule(options.timerInterval(), PunctuationType.WALL_CLOCK_TIME, this::fireDueTimers);
        context.schedule(
                options.timerInterval().multipliedBy(EARLY_ACK_SCAN_EVERY),
                PunctuationType.WALL_CLOCK_TIME,
                this::expireEarlyAcks);
    }

    @Override
    public void process(Record<String, InstanceCommand> record) {
        InstanceCommand command = record.value();
        if (command == null) {
            throw new RejectedRecordException("instance command without a value");
        }
        Optional<InstanceRecord> instance = writer.instances().get(command.getInstanceId());
        String definitionId = instance.map(i -> i.getDefinition().getId())
                .orElseGet(() -> command.getCommand() instanceof StartInstance start
                        ? start.getDefinition().getId()
                        : null);
        try (Telemetry.Work work = telemetry
                .begin(
                        "loopline " + command.getCommand().getClass().getSimpleName(),
                        record.headers(),
                        instance.map(InstanceRecord::getTraceParent).orElse(null))
                .instance(command.getInstanceId(), definitionId)) {
            process(command, instance, ProcessingTime.of(record, context), work);
        }
    }

    private void process(InstanceCommand command, Optional<InstanceRecord> instance, long time, Telemetry.Work work) {
        Instant now = Instant.ofEpochMilli(time);
        Decision decision;
        if (command.getCommand() instanceof StartInstance start) {
            if (instance.isPresent()) {
                log.debug("instance {} exists: duplicate start ignored", command.getInstanceId());
                releaseRequeuedToken(instance.get(), start, time, work);
                return;
            }
            decision = RejectedRecordException.ifItFails(
                    "start of " + command.getInstanceId(), () -> machine.start(command.getInstanceId(), start, now));
            // the instance's later inputs that carry no trace context join the trace of its start
            decision.next().ifPresent(started -> started.setTraceParent(work.traceParent()));
            apply(command.getInstanceId(), time, null, decision, work);
            applyEarlyAck(decision, now, time, work);
            return;
        } else if (command.getCommand() instanceof GrantToken grant) {
            if (instance.isEmpty()) {
                throw new RejectedRecordException("token granted to unknown instance " + command.getInstanceId());
            }
            decision = RejectedRecordException.ifItFails(
                    "grant to " + command.getInstanceId(), () -> machine.grant(instance.get(), grant, now));
        } else if (command.getCommand() instanceof OperatorCommand operation) {
            operate(command.getInstanceId(), instance, operation, time, work);
            return;
        } else if (command.getCommand() instanceof ChildCompleted child) {
            if (instance.isEmpty()) { // a parent deleted by its retention: nothing waits for it
                log.debug(
                        "child {} completed for unknown parent {}",
                        child.getChildInstanceId(),
                        command.getInstanceId());
                return;
            }
            decision = RejectedRecordException.ifItFails(
                    "child result for " + command.getInstanceId(),
                    () -> machine.childCompleted(instance.get(), child, now));
        } else if (command.getCommand() instanceof DeliverEvent delivery) {
            if (instance.isEmpty()) {
                throw new RejectedRecordException("event for unknown instance " + command.getInstanceId());
            }
            decision = RejectedRecordException.ifItFails(
                    "event for " + command.getInstanceId(), () -> machine.deliver(instance.get(), delivery, now));
        } else {
            throw new RejectedRecordException("unknown instance command " + command.getCommand());
        }
        apply(command.getInstanceId(), time, instance.get(), decision, work);
    }

    /** Applies an operator's action if the rules allow it, and answers on the operator-results topic either way. */
    private void operate(
            String instanceId,
            Optional<InstanceRecord> instance,
            OperatorCommand command,
            long time,
            Telemetry.Work work) {
        OperatorResult.Builder result = OperatorResult.newBuilder()
                .setRequestId(command.getRequestId())
                .setInstanceId(instanceId)
                .setAction(command.getAction());
        if (instance.isEmpty()) {
            result.setAccepted(false)
                    .setFound(false)
                    .setState(InstanceState.READY)
                    .setStatusCode(-1)
                    .setReason("instance " + instanceId + " does not exist");
            telemetry.metrics().operatorAction(command.getAction().name(), "unknown");
        } else {
            OperatorOutcome outcome = RejectedRecordException.ifItFails(
                    command.getAction() + " of " + instanceId,
                    () -> machine.operate(instance.get(), command, Instant.ofEpochMilli(time)));
            if (outcome.accepted()) {
                writer.apply(time, instance.get(), outcome.decision(), work);
            }
            telemetry.metrics().operatorAction(command.getAction().name(), outcome.accepted() ? "applied" : "refused");
            InstanceRecord after = outcome.decision().next().orElse(instance.get());
            result.setAccepted(outcome.accepted())
                    .setState(after.getState())
                    .setStatusCode(after.getStatusCode())
                    .setReason(outcome.reason());
        }
        context.forward(
                new Record<String, Object>(command.getRequestId(), result.build(), time, work.headers()),
                LooplineTopology.OPERATOR_RESULTS_SINK);
    }

    /**
     * An event repeated after its job completed finds the job's token free and queues the job for it
     * again (the event half cannot know the job ran): give it back, or every later job on the entity
     * would wait behind a job that never runs again.
     */
    private void releaseRequeuedToken(InstanceRecord existing, StartInstance start, long time, Telemetry.Work work) {
        if (existing.getState() == InstanceState.COMPLETED && start.getDependencyToken() != null) {
            writer.release(
                    new ReleaseToken(start.getDependencyToken(), existing.getInstanceId()), time, work.headers());
        }
    }

    /**
     * The application may have acknowledged "workflow started" before the start arrived: apply it
     * now. Only the acknowledgement that echoes the message's reply token is taken.
     */
    private void applyEarlyAck(Decision started, Instant now, long time, Telemetry.Work work) {
        Optional<InstanceRecord> instance = started.next();
        if (instance.isEmpty() || instance.get().getWait() == null) {
            return;
        }
        String instanceId = instance.get().getInstanceId();
        Optional<Acknowledgement> early =
                writer.earlyAcks().take(instanceId, instance.get().getWait().getReplyToken());
        if (early.isPresent()) {
            work.message(early.get().getMessageId());
            Decision decision = machine.acknowledge(instance.get(), early.get(), now);
            if (!decision.isRejected()) { // cannot be: the token was the key
                telemetry.metrics().acknowledged(instance.get(), time);
                apply(instanceId, time, instance.get(), decision, work);
            }
        }
    }

    /** Early acknowledgements whose instances never started are dead-lettered, like any ack for an unknown instance. */
    private void expireEarlyAcks(long wallClock) {
        for (Acknowledgement ack :
                writer.earlyAcks().takeExpired(Instant.ofEpochMilli(wallClock), options.maxTimersPerScan())) {
            String instanceId = ack.getInstanceId();
            String reason = "acknowledgement " + ack.getMessageId() + " for unknown instance " + instanceId
                    + ": no instance started within " + options.correlationTtl()
                    + " whose message it answers with the message's reply token";
            log.warn(reason);
            telemetry.metrics().deadLettered("expired");
            Headers headers = new RecordHeaders()
                    .add(DEAD_LETTER_EXCEPTION, bytes(RejectedRecordException.class.getName()))
                    .add(DEAD_LETTER_MESSAGE, bytes(reason))
                    .add(DEAD_LETTER_TOPIC, bytes(acksTopic));
            context.forward(
                    new Record<String, Object>(instanceId, ack, wallClock, headers),
                    LooplineTopology.EXPIRED_ACKS_SINK);
        }
    }

    private static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    private void fireDueTimers(long wallClock) {
        Instant now = Instant.ofEpochMilli(wallClock);
        for (TimerStore.Due timer : writer.timers().due(now, options.maxTimersPerScan())) {
            String instanceId = timer.entry().getInstanceId();
            try {
                Optional<InstanceRecord> instance = writer.instances().get(instanceId);
                if (instance.isPresent()) {
                    telemetry.metrics().timerFired(timer.dueAt(), now);
                    try (Telemetry.Work work = telemetry
                            .begin("loopline timer", null, instance.get().getTraceParent())
                            .instance(instanceId, instance.get().getDefinition().getId())) {
                        apply(
                                instanceId,
                                wallClock,
                                instance.get(),
                                machine.timerFired(instance.get(), timer.entry().getWaitId(), now),
                                work);
                    }
                }
            } catch (KafkaException e) {
                throw e; // fencing, migration: Streams handles these
            } catch (RuntimeException e) {
                // A bug, not bad input: log it and drop this timer rather than fail every scan.
                log.error("instance {}: timer {} could not fire", instanceId, timer.key(), e);
            }
            writer.timers().delete(timer);
        }
    }

    private void apply(
            String instanceId, long timestamp, InstanceRecord before, Decision decision, Telemetry.Work work) {
        if (decision.isRejected()) {
            throw new RejectedRecordException(decision.ignoredBecause().orElseThrow());
        }
        if (decision.isIgnored()) {
            log.debug(
                    "instance {}: input ignored, {}",
                    instanceId,
                    decision.ignoredBecause().get());
            return;
        }
        writer.apply(timestamp, before, decision, work);
    }
}
