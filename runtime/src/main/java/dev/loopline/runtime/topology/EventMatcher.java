package dev.loopline.runtime.topology;

import dev.loopline.api.OnDemandStart;
import dev.loopline.api.internal.ChildCompleted;
import dev.loopline.api.internal.CorrelateEvent;
import dev.loopline.api.internal.CorrelationCommand;
import dev.loopline.api.internal.InstanceCommand;
import dev.loopline.api.internal.StartInstance;
import dev.loopline.api.v1.DefinitionStatus;
import dev.loopline.api.v1.PlatformEvent;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.definition.expression.ExpressionException;
import dev.loopline.definition.expression.Expressions;
import dev.loopline.runtime.domain.InstanceIds;
import dev.loopline.runtime.domain.InstanceMachine;
import dev.loopline.runtime.domain.ReplyTokens;
import dev.loopline.runtime.domain.SubscriptionMatcher;
import dev.loopline.runtime.domain.event.DependencyQueues;
import dev.loopline.runtime.domain.event.EventCorrelation;
import dev.loopline.runtime.domain.event.JobStart;
import dev.loopline.runtime.domain.event.JobStarts;
import dev.loopline.runtime.store.DefinitionCatalog;
import dev.loopline.runtime.store.DefinitionHealthStore;
import dev.loopline.runtime.store.RecordRunsStore;
import dev.loopline.runtime.store.TokenQueues;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * For each platform event, the event half's two jobs:
 *
 * <ol>
 *   <li>start: one start command per active definition whose trigger matches, in ascending rank,
 *       re-keyed by instance id (derived from event id and definition id) onto instance-commands.
 *       The command carries a snapshot of the matching definition version, which the instance
 *       keeps for its whole life; the loop guard, the entity's dependency token and a failing
 *       definition's postponement decide how it starts ({@link JobStarts});
 *   <li>correlate: if any definition in the catalog has a step that waits for events of this
 *       entity type and name, one correlate command per key field those steps use, keyed by
 *       correlation key onto correlation-commands.
 * </ol>
 */
final class EventMatcher implements Processor<String, PlatformEvent, String, Object> {

    private static final Logger log = LoggerFactory.getLogger(EventMatcher.class);
    private final SubscriptionMatcher matcher = new SubscriptionMatcher(new Expressions());
    private final JobStarts jobStarts;
    private DefinitionHealthStore health;
    private ProcessorContext<String, Object> context;
    private DefinitionCatalog catalog;
    private RecordRunsStore recordRuns;
    private TokenQueues queues;

    private final AtomicLong catalogChanges;
    private final ReplyTokens replyTokens;
    private final Telemetry telemetry;

    EventMatcher(TopologyOptions options, AtomicLong catalogChanges) {
        this.telemetry = options.telemetry();
        this.jobStarts = new JobStarts(options.loopGuard(), options.failurePolicy());
        this.replyTokens = options.replyTokens();
        this.catalogChanges = catalogChanges;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.catalog = DefinitionCatalog.from(context, LooplineTopology.DEFINITIONS_STORE, catalogChanges);
        this.recordRuns = RecordRunsStore.from(context, LooplineTopology.RECORD_RUNS_STORE);
        this.queues = TokenQueues.from(context, LooplineTopology.DEPENDENCY_QUEUES_STORE);
        this.health = DefinitionHealthStore.from(context, LooplineTopology.DEFINITION_HEALTH_STORE);
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
        String refused = null;
        for (WorkflowDefinition definition : definitions) {
            try {
                if (matcher.matchesOrThrow(definition, event, now)) {
                    matching.add(definition);
                }
            } catch (ExpressionException e) {
                refused = e.getMessage();
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
        if (event.getStartsDefinition() != null && matching.isEmpty()) {
            String why = "on-demand start of " + event.getStartsDefinition() + " started nothing: "
                    + (refused != null ? refused : whyNot(event, definitions));
            String parent = OnDemandStart.parentOf(event);
            if (parent != null) {
                // a workflow's child: its parent learns that it ended before it began (a caller fails its step)
                log.warn("{} (for instance {})", why, parent);
                String child = InstanceIds.instanceId(event.getEventId(), event.getStartsDefinition());
                context.forward(
                        new Record<String, Object>(
                                parent,
                                new InstanceCommand(parent, new ChildCompleted(child, 31, why, Map.of())),
                                record.timestamp(),
                                new RecordHeaders(headers.toArray())),
                        LooplineTopology.STARTS_SINK);
                return;
            }
            // the caller was told an instance would start: say why none did, where it can be replayed
            throw new RejectedRecordException(why);
        }
        matching.sort(
                Comparator.comparingInt((WorkflowDefinition d) -> d.getTrigger().getRank())
                        .thenComparing(WorkflowDefinition::getId));
        Instant processed = Instant.ofEpochMilli(ProcessingTime.of(record, context));
        String token = DependencyQueues.token(event.getEntityType(), event.getEntityId());
        for (WorkflowDefinition definition : matching) {
            JobStart job = jobStarts.start(
                    definition,
                    event,
                    recordRuns.runs(definition.getId(), event.getEntityType(), event.getEntityId()),
                    queues.get(token),
                    health.consecutiveFailures(definition.getId()),
                    processed);
            recordRuns.put(definition.getId(), event.getEntityType(), event.getEntityId(), job.runs());
            String instanceId = job.instanceId();
            StartInstance command = job.command();
            if (job.loopStopped()) {
                telemetry.metrics().loopStopped(definition.getId());
            } else if (job.command().getDependencyToken() != null) { // a workflow's child takes none
                queues.put(token, job.queue());
            }
            if (job.postponed()) {
                telemetry.metrics().postponed(definition.getId());
            }
            if (job.startsNow()) {
                // It starts as soon as the instance half reads the command: post "workflow started"
                // now, in this transaction, so the application sees it one hop (one commit) sooner.
                String replyToken = replyTokens.next();
                command.setStartedPosted(true);
                command.setStartedReplyToken(replyToken);
                context.forward(
                        new Record<String, Object>(
                                instanceId,
                                InstanceMachine.startedMessage(instanceId, definition, event, processed, replyToken),
                                record.timestamp(),
                                new RecordHeaders(headers.toArray())),
                        LooplineTopology.STARTED_SINK);
            }
            InstanceCommand start = new InstanceCommand(instanceId, command);
            context.forward(
                    new Record<String, Object>(
                            instanceId, start, record.timestamp(), new RecordHeaders(headers.toArray())),
                    LooplineTopology.STARTS_SINK);
        }
    }

    /** Why an on-demand start matched no definition, as the catalog has it. */
    private static String whyNot(PlatformEvent event, List<WorkflowDefinition> definitions) {
        return definitions.stream()
                .filter(definition -> definition.getId().equals(event.getStartsDefinition()))
                .findFirst()
                .map(definition -> definition.getStatus() != DefinitionStatus.ACTIVE
                        ? "it is not active"
                        : definition.getOnDemandInputs() == null
                                ? "it cannot be started on demand"
                                : "it runs on " + definition.getTrigger().getEntityType() + ", not "
                                        + event.getEntityType())
                .orElse("no such definition");
    }

    private void correlate(
            Record<String, PlatformEvent> record,
            PlatformEvent event,
            List<WorkflowDefinition> definitions,
            Headers headers) {
        for (String key : EventCorrelation.keys(event, definitions)) {
            CorrelationCommand command = new CorrelationCommand(key, new CorrelateEvent(event));
            context.forward(
                    new Record<String, Object>(key, command, record.timestamp(), new RecordHeaders(headers.toArray())),
                    LooplineTopology.CORRELATE_SINK);
        }
    }
}
