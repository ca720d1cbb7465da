package dev.loopline.runtime.topology;

import dev.loopline.api.internal.CorrelateEvent;
import dev.loopline.api.internal.CorrelationCommand;
import dev.loopline.api.internal.DefinitionHealth;
import dev.loopline.api.internal.InstanceCommand;
import dev.loopline.api.internal.RecordRuns;
import dev.loopline.api.internal.StartInstance;
import dev.loopline.api.internal.TokenQueue;
import dev.loopline.api.v1.EventWait;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.Step;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.definition.expression.ExpressionException;
import dev.loopline.definition.expression.Expressions;
import dev.loopline.runtime.domain.CorrelationKeys;
import dev.loopline.runtime.domain.FailurePolicy;
import dev.loopline.runtime.domain.InstanceIds;
import dev.loopline.runtime.domain.InstanceMachine;
import dev.loopline.runtime.domain.LoopGuard;
import dev.loopline.runtime.domain.ReplyTokens;
import dev.loopline.runtime.domain.SubscriptionMatcher;
import dev.loopline.runtime.store.DefinitionCatalog;
import dev.loopline.runtime.store.TokenQueues;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * For each platform event, the event half's two jobs:
 *
 * <ol>
 *   <li>start: one start command per active definition whose trigger matches, in ascending rank,
 *       re-keyed by instance id (derived from event id and definition id) onto instance-commands.
 *       The command carries a snapshot of the matching definition version, which the instance
 *       keeps for its whole life, and the infinite-loop error if the event is part of a loop;
 *   <li>correlate: if any definition in the catalog has a step that waits for events of this
 *       entity type and name, one correlate command per key field those steps use, keyed by
 *       correlation key onto correlation-commands.
 * </ol>
 */
final class EventMatcher implements Processor<String, PlatformEvent, String, Object> {

    private static final Logger log = LoggerFactory.getLogger(EventMatcher.class);
    private final SubscriptionMatcher matcher = new SubscriptionMatcher(new Expressions());
    private final LoopGuard loopGuard;
    private final FailurePolicy failurePolicy;
    private KeyValueStore<String, DefinitionHealth> health;
    private ProcessorContext<String, Object> context;
    private DefinitionCatalog catalog;
    private KeyValueStore<String, RecordRuns> recordRuns;
    private TokenQueues queues;

    private final AtomicLong catalogChanges;
    private final ReplyTokens replyTokens;
    private final Telemetry telemetry;

    EventMatcher(TopologyOptions options, AtomicLong catalogChanges) {
        this.telemetry = options.telemetry();
        this.loopGuard = options.loopGuard();
        this.failurePolicy = options.failurePolicy();
        this.replyTokens = options.replyTokens();
        this.catalogChanges = catalogChanges;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.catalog = DefinitionCatalog.from(context, LooplineTopology.DEFINITIONS_STORE, catalogChanges);
        this.recordRuns = context.getStateStore(LooplineTopology.RECORD_RUNS_STORE);
        this.queues = TokenQueues.from(context, LooplineTopology.DEPENDENCY_QUEUES_STORE);
        this.health = context.getStateStore(LooplineTopology.DEFINITION_HEALTH_STORE);
    }

    @Override
    public void process(Record<String, PlatformEvent> record) {
        PlatformEvent event = record.value();
        if (event == null) {
            throw new RejectedRecordException("platform event without a value");
        }
        List<WorkflowDefinition> definitions = catalog.all();
        try (Telemetry.Work work = telemetry.begin("loopline match event", record.headers(), null)) {
            Headers headers = work.headers();
            start(record, event, definitions, headers);
            correlate(record, event, definitions, headers);
        }
    }

    private void start(
            Record<String, PlatformEvent> record,
            PlatformEvent event,
            List<WorkflowDefinition> definitions,
            Headers headers) {
        Instant now = Instant.ofEpochMilli(record.timestamp());
        List<WorkflowDefinition> matching = new ArrayList<>();
        for (WorkflowDefinition definition : definitions) {
            try {
                if (matcher.matchesOrThrow(definition, event, now)) {
                    matching.add(definition);
                }
            } catch (ExpressionException e) {
                log.warn(
                        "event {} starts no instance of {}: {}",
                        event.getEventId(),
                        definition.getId(),
                        e.getMessage());
            } catch (RuntimeException e) {
                // a bug met by this event and this definition: it must not stop the other definitions,
                // nor, by failing the task again on every retry, every other event of the partition
                log.error(
                        "event {} starts no instance of {}: matching failed",
                        event.getEventId(),
                        definition.getId(),
                        e);
            }
        }
        matching.sort(
                Comparator.comparingInt((WorkflowDefinition d) -> d.getTrigger().getRank())
                        .thenComparing(WorkflowDefinition::getId));
        Instant processed = Instant.ofEpochMilli(ProcessingTime.of(record, context));
        for (WorkflowDefinition definition : matching) {
            String instanceId = InstanceIds.instanceId(event.getEventId(), definition.getId());
            String loopError = loopError(definition, event, processed).orElse(null);
            StartInstance command = StartInstance.newBuilder()
                    .setDefinition(definition)
                    .setTrigger(event)
                    .setLoopError(loopError)
                    .build();
            if (loopError != null) {
                telemetry.metrics().loopStopped(definition.getId());
            } else {
                boolean newJob = queue(command, instanceId, event);
                postponeIfFailing(command, definition, instanceId, processed);
                if (newJob && command.getGranted() && command.getPostponeUntil() == null) {
                    // It starts as soon as the instance half reads the command: post "workflow started"
                    // now, in this transaction, so the application sees it one hop (one commit) sooner.
                    String token = replyTokens.next();
                    command.setStartedPosted(true);
                    command.setStartedReplyToken(token);
                    context.forward(
                            new Record<String, Object>(
                                    instanceId,
                                    InstanceMachine.startedMessage(instanceId, definition, event, processed, token),
                                    record.timestamp(),
                                    new RecordHeaders(headers.toArray())),
                            LooplineTopology.STARTED_SINK);
                }
            }
            InstanceCommand start = new InstanceCommand(instanceId, command);
            context.forward(
                    new Record<String, Object>(
                            instanceId, start, record.timestamp(), new RecordHeaders(headers.toArray())),
                    LooplineTopology.STARTS_SINK);
        }
    }

    private void correlate(
            Record<String, PlatformEvent> record,
            PlatformEvent event,
            List<WorkflowDefinition> definitions,
            Headers headers) {
        for (String keyField : watchedKeyFields(event, definitions)) {
            String value = CorrelationKeys.valueIn(event, keyField);
            if (value != null) {
                String key = CorrelationKeys.of(event.getEntityType(), keyField, value);
                CorrelationCommand command = new CorrelationCommand(key, new CorrelateEvent(event));
                context.forward(
                        new Record<String, Object>(
                                key, command, record.timestamp(), new RecordHeaders(headers.toArray())),
                        LooplineTopology.CORRELATE_SINK);
            }
        }
    }
    /**
     * Ordering: jobs on the same entity (their dependency token) run one at a time, in creation
     * order. The first takes the token; later ones start queued and are granted it when the jobs
     * before them complete (see {@link DependencyProcessor}). A repeated event finds its job
     * already queued and changes nothing.
     *
     * @return whether the job is new to the queue (false for a repeated event)
     */
    private boolean queue(StartInstance start, String instanceId, PlatformEvent event) {
        String token = event.getEntityType() + CorrelationKeys.SEPARATOR + event.getEntityId();
        TokenQueue queue = queues.get(token);
        start.setDependencyToken(token);
        boolean newJob = false;
        if (queue.getHolder() == null) {
            queue.setHolder(instanceId);
            newJob = true;
        } else if (!queue.getHolder().equals(instanceId)) {
            if (!queue.getWaiting().contains(instanceId)) {
                List<String> waiting = new ArrayList<>(queue.getWaiting());
                waiting.add(instanceId);
                queue.setWaiting(waiting);
                newJob = true;
            }
            start.setGranted(false);
        }
        queues.put(token, queue);
        return newJob;
    }

    /**
     * A definition whose last jobs failed in a row gets its new jobs postponed, for longer and
     * longer (the failure policy's backoff, by the number of failures); its first success ends it.
     */
    private void postponeIfFailing(StartInstance start, WorkflowDefinition definition, String instanceId, Instant now) {
        DefinitionHealth state = health.get(definition.getId());
        if (state == null || state.getConsecutiveFailures() == 0) {
            return;
        }
        int failures = state.getConsecutiveFailures();
        telemetry.metrics().postponed(definition.getId());
        start.setPostponeUntil(now.plus(failurePolicy.backoff(definition.getId(), failures)));
        start.setPostponeReason(definition.getId() + "'s last " + failures + " job(s) failed in a row");
    }

    /**
     * Loop protection. Events are keyed by entity id, so every run of a definition on one record
     * is counted in this task's "record-runs" store: key {@code <definition id>␟<entity type>␟<entity
     * id>} → the start times inside the window.
     */
    private Optional<String> loopError(WorkflowDefinition definition, PlatformEvent event, Instant now) {
        String key = definition.getId()
                + CorrelationKeys.SEPARATOR
                + event.getEntityType()
                + CorrelationKeys.SEPARATOR
                + event.getEntityId();
        RecordRuns earlier = recordRuns.get(key);
        List<Instant> runs = loopGuard.recordRun(earlier == null ? List.of() : earlier.getStartedAt(), now);
        recordRuns.put(key, new RecordRuns(runs));
        Optional<String> tooDeep = loopGuard.depthViolation(event, now);
        return tooDeep.isPresent() ? tooDeep : loopGuard.runsViolation(runs, definition.getId(), event);
    }

    /** The key fields that waiting steps of any cataloged definition use for events like this one. */
    static Set<String> watchedKeyFields(PlatformEvent event, List<WorkflowDefinition> definitions) {
        Set<String> fields = new TreeSet<>();
        for (WorkflowDefinition definition : definitions) {
            for (Step step : definition.getSteps()) {
                EventWait wait = step.getEvent();
                if (wait != null
                        && wait.getEntityType().equals(event.getEntityType())
                        && wait.getMessageNames().contains(event.getMessageName())) {
                    fields.add(wait.getKeyField());
                }
            }
        }
        return fields;
    }
}
