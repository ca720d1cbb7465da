package dev.loopline.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loopline.api.internal.OperatorAction;
import dev.loopline.api.internal.OperatorCommand;
import dev.loopline.api.internal.OperatorResult;
import dev.loopline.gateway.kafka.OperatorChannel;
import dev.loopline.gateway.query.InstanceFilter;
import dev.loopline.gateway.query.PartialPage;
import dev.loopline.gateway.security.Audit;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bulk actions as background operations. A request is answered at once with the operation's id;
 * the operation then pages through the matching instances (newest first, {@link
 * InstanceQueries#MAX_PAGE} at a time, from every gateway process with the caller's credentials)
 * and sends each a command, up to {@value #IN_FLIGHT} awaiting the runtime's answer at once. Its
 * progress (matched, accepted, refused with the first reasons, unanswered) is read at {@code GET
 * /v1/operations/{id}}.
 *
 * <p>Operations run in the process that accepted them, two at a time (more wait their turn), and
 * live in its memory: the last {@value #KEPT} are kept, and a restart forgets them (an action is
 * idempotent where the state machine allows it, so an interrupted one can be sent again). The id
 * names the process, so another gateway process relays {@code GET /v1/operations/{id}} to it.
 */
final class BulkOperations implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BulkOperations.class);

    static final int IN_FLIGHT = 256;
    static final int KEPT = 1_000;
    private static final int REFUSALS_SHOWN = 100;
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(15);
    /** How long a page may keep failing (a partition moving between processes) before the operation fails. */
    private static final Duration PAGE_RETRY = Duration.ofSeconds(60);

    private final InstanceQueries queries;
    private final OperatorChannel operators;
    private final Clock clock;
    private final Map<String, Operation> operations = new ConcurrentHashMap<>();
    private final ExecutorService runner = Executors.newFixedThreadPool(2, r -> {
        Thread thread = new Thread(r, "bulk-operation");
        thread.setDaemon(true);
        return thread;
    });

    BulkOperations(InstanceQueries queries, OperatorChannel operators, Clock clock) {
        this.queries = queries;
        this.operators = operators;
        this.clock = clock;
    }

    /** What one operation does and how far it got. */
    static final class Operation {
        final String id;
        final OperatorAction action;
        final JsonNode filter;
        final String principal;
        final Instant createdAt;
        volatile String state = "QUEUED";
        volatile Instant finishedAt;
        volatile String error;
        final AtomicLong matched = new AtomicLong();
        final AtomicLong accepted = new AtomicLong();
        final AtomicLong refused = new AtomicLong();
        final AtomicLong unanswered = new AtomicLong();
        final List<Map<String, Object>> refusals = new ArrayList<>();

        Operation(String id, OperatorAction action, JsonNode filter, String principal, Instant createdAt) {
            this.id = id;
            this.action = action;
            this.filter = filter;
            this.principal = principal;
            this.createdAt = createdAt;
        }

        synchronized Map<String, Object> view() {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("operationId", id);
            view.put("action", action.name().toLowerCase(Locale.ROOT));
            view.put("filter", filter);
            view.put("principal", principal);
            view.put("state", state);
            view.put("createdAt", createdAt.toString());
            view.put("finishedAt", finishedAt == null ? null : finishedAt.toString());
            view.put("matched", matched.get());
            view.put("accepted", accepted.get());
            view.put("refused", refused.get());
            view.put("unanswered", unanswered.get());
            view.put("refusals", List.copyOf(refusals));
            view.put("error", error);
            return view;
        }

        synchronized void refusedBecause(String instanceId, String reason) {
            if (refusals.size() < REFUSALS_SHOWN) {
                refusals.add(Map.of("instanceId", instanceId, "reason", reason));
            }
        }
    }

    /**
     * Starts an operation and returns it at once.
     *
     * @param self this process's advertised {@code host:port}, which the id carries
     * @param credentials the caller's, for the other gateway processes' pages
     * @param command the command each instance gets (action, until, note, principal)
     */
    Operation start(
            String self,
            OperatorAction action,
            InstanceFilter filter,
            JsonNode filterNode,
            OperatorCommand.Builder command,
            String principal,
            Map<String, String> credentials) {
        String id = encode(self) + "." + UUID.randomUUID();
        Operation operation = new Operation(id, action, filterNode, principal, clock.instant());
        operations.put(id, operation);
        forgetOld();
        runner.execute(() -> run(operation, filter, command, credentials));
        return operation;
    }

    /** The operation, if this process ran it and still keeps it. */
    Optional<Operation> find(String id) {
        return Optional.ofNullable(operations.get(id));
    }

    /** The {@code host:port} of the process an operation id names, or null if it names none. */
    static String processOf(String id) {
        int dot = id.indexOf('.');
        if (dot <= 0) {
            return null;
        }
        try {
            return new String(Base64.getUrlDecoder().decode(id.substring(0, dot)), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private void run(
            Operation operation,
            InstanceFilter filter,
            OperatorCommand.Builder command,
            Map<String, String> credentials) {
        operation.state = "RUNNING";
        try {
            String after = null;
            do {
                PartialPage<Map<String, Object>> page = page(filter, after, credentials);
                act(operation, page, command);
                after = page.boundary();
            } while (after != null);
            operation.state = "SUCCEEDED";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            operation.state = "FAILED";
            operation.error = "the gateway stopped";
        } catch (RuntimeException e) {
            operation.state = "FAILED";
            operation.error = e.getMessage();
            log.warn("bulk operation {} failed", operation.id, e);
        } finally {
            operation.finishedAt = clock.instant();
            Audit.bulk(
                    operation.principal,
                    operation.action,
                    operation.filter,
                    operation.matched.get(),
                    operation.accepted.get(),
                    operation.state);
        }
    }

    /**
     * A page of matches; while a partition cannot answer (503) or a peer's rate limit refuses
     * (429), asked again for up to a minute.
     */
    private PartialPage<Map<String, Object>> page(InstanceFilter filter, String after, Map<String, String> credentials)
            throws InterruptedException {
        long deadline = System.nanoTime() + PAGE_RETRY.toNanos();
        while (true) {
            try {
                return queries.page(credentials, filter, after, InstanceQueries.MAX_PAGE);
            } catch (ProblemException e) {
                if ((e.status() != 503 && e.status() != 429) || System.nanoTime() > deadline) {
                    throw e;
                }
                TimeUnit.SECONDS.sleep(1);
            }
        }
    }

    /** Sends the page's commands, {@value #IN_FLIGHT} in flight at most, and counts their answers. */
    private void act(Operation operation, PartialPage<Map<String, Object>> page, OperatorCommand.Builder command)
            throws InterruptedException {
        Semaphore inFlight = new Semaphore(IN_FLIGHT);
        List<CompletableFuture<Void>> answers = new ArrayList<>(page.items().size());
        for (PartialPage.Item<Map<String, Object>> item : page.items()) {
            String instanceId = (String) item.value().get("instanceId");
            operation.matched.incrementAndGet();
            inFlight.acquire();
            answers.add(operators
                    .sendAsync(instanceId, OperatorCommand.newBuilder(command), ANSWER_TIMEOUT)
                    .thenAccept(answer -> count(operation, instanceId, answer))
                    .whenComplete((done, failure) -> inFlight.release()));
        }
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).join();
    }

    private static void count(Operation operation, String instanceId, Optional<OperatorResult> answer) {
        if (answer.isEmpty()) {
            operation.unanswered.incrementAndGet();
            operation.refusedBecause(instanceId, "no answer from the runtime within " + ANSWER_TIMEOUT);
        } else if (answer.get().getAccepted()) {
            operation.accepted.incrementAndGet();
        } else {
            operation.refused.incrementAndGet();
            operation.refusedBecause(instanceId, answer.get().getReason());
        }
    }

    /** Keeps the newest {@value #KEPT}: finished ones go first, oldest first. */
    private void forgetOld() {
        if (operations.size() <= KEPT) {
            return;
        }
        List<Operation> finished = operations.values().stream()
                .filter(operation -> operation.finishedAt != null)
                .sorted((a, b) -> a.createdAt.compareTo(b.createdAt))
                .toList();
        Iterator<Operation> oldest = finished.iterator();
        while (operations.size() > KEPT && oldest.hasNext()) {
            operations.remove(oldest.next().id);
        }
    }

    private static String encode(String self) {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString((self == null ? "" : self).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        runner.shutdownNow();
    }
}
