package dev.loopline.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loopline.api.internal.InstanceSummary;
import dev.loopline.api.v1.InstanceState;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.WorkItem;
import dev.loopline.gateway.query.IndexKeys;
import dev.loopline.gateway.query.InstanceFilter;
import dev.loopline.gateway.query.LocalQueries;
import dev.loopline.gateway.query.PartialPage;
import dev.loopline.gateway.query.QueryStores;
import io.javalin.http.Context;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Instance queries, answered from the query side's stores ({@link QueryStores}) of every gateway
 * process.
 *
 * <pre>
 * GET /v1/instances?definitionId=&definitionVersion=&state=&statusCode=&entityType=&entityId=&errorCode=&waitingFor=&from=&to=&assignee=&parentInstanceId=&limit=&after=
 *                                        a page, newest first; "next" is the cursor of the page after it
 * GET /v1/instances/counts               counts by state and status code
 * GET /v1/instances/{id}                 state, status, error and every transition
 * GET /v1/instances/{id}/transitions     the full transition history
 * GET /v1/local/instances?…              a page of this process's partitions only (what processes ask each other)
 * GET /v1/local/instances/counts         the counts of this process's partitions only
 * </pre>
 *
 * An instance is read where its partition is served: here, or at the process that serves it,
 * which the request is relayed to. A list or a count asks every process for its partitions and
 * merges them; an answer that would leave out a partition (being restored or moved) is 503 with
 * {@code Retry-After}, never a short count.
 */
final class InstanceQueries {

    static final int MAX_PAGE = 500;

    static final Set<String> FILTERS = Set.of(
            "definitionId",
            "definitionVersion",
            "state",
            "statusCode",
            "entityType",
            "entityId",
            "errorCode",
            "waitingFor",
            "from",
            "to",
            "assignee",
            "parentInstanceId");

    private static final Set<String> PAGING = Set.of("limit", "after");

    private final QueryStores stores;
    private final LocalQueries local;
    private final QueryPeers peers;

    InstanceQueries(QueryStores stores, QueryPeers peers) {
        this.stores = stores;
        this.local = new LocalQueries(stores);
        this.peers = peers;
    }

    void get(Context ctx) throws InterruptedException {
        String id = ctx.pathParam("id");
        OptionalInt partition = servedHere(ctx, id);
        if (partition.isPresent()) {
            InstanceSummary summary = summary(partition.getAsInt(), id);
            Map<String, Object> view = view(summary);
            // only here, not in lists: an instance may hold up to LOOPLINE_LIMIT_VARIABLES_BYTES of them
            view.put("variables", summary.getVariables());
            view.put("transitions", transitions(partition.getAsInt(), id));
            Json.respond(ctx, 200, view);
        }
    }

    void history(Context ctx) throws InterruptedException {
        String id = ctx.pathParam("id");
        OptionalInt partition = servedHere(ctx, id);
        if (partition.isPresent()) {
            summary(partition.getAsInt(), id);
            Json.respond(ctx, 200, Map.of("instanceId", id, "transitions", transitions(partition.getAsInt(), id)));
        }
    }

    /**
     * The instance's partition if this process serves it; otherwise the request is relayed to the
     * process that does (and answered), or refused with 503 while none does.
     */
    OptionalInt servedHere(Context ctx, String id) throws InterruptedException {
        QueryStores.Location location = stores.locate(id);
        if (location.local()) {
            return OptionalInt.of(location.partition());
        }
        if (location.host() == null || QueryPeers.isForwarded(ctx)) {
            throw unavailable("the instance's partition is being restored or moved");
        }
        peers.relay(ctx, location.host());
        return OptionalInt.empty();
    }

    InstanceSummary summary(int partition, String id) {
        return read(() -> stores.summary(partition, id)).orElseThrow(() -> ProblemException.notFound("instance " + id));
    }

    void list(Context ctx) throws InterruptedException {
        InstanceFilter filter = filter(ctx.queryParamMap().keySet(), ctx::queryParam, true);
        int limit = limit(ctx.queryParam("limit"));
        PartialPage<Map<String, Object>> page =
                page(QueryPeers.credentials(ctx), filter, cursor(ctx.queryParam("after")), limit);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", page.items().stream().map(PartialPage.Item::value).toList());
        body.put("next", page.boundary() == null ? null : encode(page.boundary()));
        Json.respond(ctx, 200, body);
    }

    void counts(Context ctx) throws InterruptedException {
        Map<String, Map<String, Long>> counts = new TreeMap<>();
        totals(QueryPeers.credentials(ctx)).forEach((key, count) -> {
            String[] parts = IndexKeys.countParts(key);
            counts.computeIfAbsent(parts[1], state -> new TreeMap<>())
                    .merge(Integer.toString(Integer.parseInt(parts[2])), count, Long::sum);
        });
        Json.respond(ctx, 200, counts);
    }

    void localList(Context ctx) {
        InstanceFilter filter = filter(ctx.queryParamMap().keySet(), ctx::queryParam, true);
        PartialPage<InstanceSummary> page =
                local.page(filter, cursor(ctx.queryParam("after")), limit(ctx.queryParam("limit")));
        List<Map<String, Object>> items = new ArrayList<>();
        for (PartialPage.Item<InstanceSummary> item : page.items()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("sortKey", item.sortKey());
            entry.put("instance", view(item.value()));
            items.add(entry);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", items);
        body.put("boundary", page.boundary());
        body.put("partitions", page.partitions());
        Json.respond(ctx, 200, body);
    }

    /** This process's advertised {@code host:port}. */
    String self() {
        return stores.self();
    }

    /** The other processes of the query group now, as {@code host:port}. */
    java.util.Set<String> peers() {
        return stores.peers();
    }

    void localCounts(Context ctx) {
        LocalQueries.Counts counts = local.counts();
        Json.respond(ctx, 200, Map.of("counts", counts.counts(), "partitions", counts.partitions()));
    }

    /**
     * Counts ({@link IndexKeys#count} → number) summed over every partition; 503 if one cannot
     * answer now.
     */
    Map<String, Long> totals(Map<String, String> credentials) throws InterruptedException {
        LocalQueries.Counts here = local.counts();
        Map<String, Long> totals = new TreeMap<>(here.counts());
        List<Set<Integer>> covered = new ArrayList<>(List.of(here.partitions()));
        for (JsonNode answer : peers.gather(credentials, stores.peers(), "/v1/local/instances/counts")
                .values()) {
            answer.path("counts")
                    .properties()
                    .forEach(e -> totals.merge(e.getKey(), e.getValue().asLong(), Long::sum));
            covered.add(partitions(answer));
        }
        requireEvery(covered);
        return totals;
    }

    /**
     * One page of the instances matching the filter, from every process (asked with the caller's
     * credentials), merged; 503 if a partition cannot answer now. Items are instance views; the
     * boundary is the raw cursor.
     */
    PartialPage<Map<String, Object>> page(
            Map<String, String> credentials, InstanceFilter filter, String after, int limit)
            throws InterruptedException {
        List<PartialPage<Map<String, Object>>> pages = new ArrayList<>();
        PartialPage<InstanceSummary> here = local.page(filter, after, limit);
        pages.add(new PartialPage<>(
                here.items().stream()
                        .map(item -> new PartialPage.Item<>(item.sortKey(), view(item.value())))
                        .toList(),
                here.boundary(),
                here.partitions()));
        String path = "/v1/local/instances?" + queryString(filter, after, limit);
        for (JsonNode answer : peers.gather(credentials, stores.peers(), path).values()) {
            List<PartialPage.Item<Map<String, Object>>> items = new ArrayList<>();
            for (JsonNode item : answer.path("items")) {
                items.add(new PartialPage.Item<>(item.path("sortKey").asText(), map(item.path("instance"))));
            }
            String boundary = answer.path("boundary").isTextual()
                    ? answer.path("boundary").asText()
                    : null;
            pages.add(new PartialPage<>(items, boundary, partitions(answer)));
        }
        requireEvery(pages.stream().map(PartialPage::partitions).toList());
        return PartialPage.merge(pages, limit);
    }

    /** 503 unless the answers cover every partition, each once. */
    private void requireEvery(List<Set<Integer>> answered) {
        Set<Integer> all = new TreeSet<>();
        int total = 0;
        for (Set<Integer> partitions : answered) {
            all.addAll(partitions);
            total += partitions.size();
        }
        if (all.size() != stores.partitionCount() || total != all.size()) {
            Set<Integer> missing = new TreeSet<>();
            for (int p = 0; p < stores.partitionCount(); p++) {
                if (!all.contains(p)) {
                    missing.add(p);
                }
            }
            throw unavailable(
                    missing.isEmpty()
                            ? "partitions are moving between processes"
                            : "partitions " + missing + " are being restored or moved");
        }
    }

    private List<Map<String, Object>> transitions(int partition, String id) {
        return read(() -> stores.history(partition, id)).stream()
                .map(InstanceQueries::view)
                .toList();
    }

    static <T> T read(java.util.function.Supplier<T> read) {
        try {
            return read.get();
        } catch (QueryStores.Unavailable e) {
            throw unavailable(e.getMessage());
        }
    }

    private static ProblemException unavailable(String detail) {
        return new ProblemException(
                503, "unavailable", "The query side cannot answer now", detail + "; retry in a moment", List.of());
    }

    /** The list filter from query parameters (or a bulk action's filter object), checked. */
    static InstanceFilter filter(Set<String> present, Function<String, String> value, boolean paging) {
        List<Problem.FieldError> errors = new ArrayList<>();
        for (String name : present) {
            if (!FILTERS.contains(name) && !(paging && PAGING.contains(name))) {
                Set<String> known = new TreeSet<>(FILTERS);
                if (paging) {
                    known.addAll(PAGING);
                }
                errors.add(new Problem.FieldError(name, "unknown filter (expected one of " + known + ")"));
            }
        }
        InstanceState state = null;
        if (value.apply("state") != null) {
            try {
                state = InstanceState.valueOf(value.apply("state").toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                errors.add(new Problem.FieldError("state", "expected READY, LOCKED, SUSPENDED or COMPLETED"));
            }
        }
        Integer statusCode = number(value.apply("statusCode"), "statusCode", "a status code such as 10 or 31", errors);
        Integer version = number(value.apply("definitionVersion"), "definitionVersion", "a version such as 2", errors);
        if (version != null && value.apply("definitionId") == null) {
            errors.add(new Problem.FieldError("definitionVersion", "goes with definitionId"));
        }
        Instant from = instant(value.apply("from"), "from", errors);
        Instant to = instant(value.apply("to"), "to", errors);
        if (!errors.isEmpty()) {
            throw ProblemException.invalid(errors);
        }
        return new InstanceFilter(
                value.apply("definitionId"),
                version,
                state,
                statusCode,
                value.apply("entityType"),
                value.apply("entityId"),
                value.apply("errorCode"),
                value.apply("waitingFor"),
                from,
                to,
                value.apply("assignee"),
                value.apply("parentInstanceId"));
    }

    static int limit(String text) {
        if (text == null) {
            return 100;
        }
        try {
            int value = Integer.parseInt(text);
            if (value >= 1 && value <= MAX_PAGE) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ProblemException.invalid(List.of(new Problem.FieldError("limit", "expected 1 to " + MAX_PAGE)));
    }

    /** A list's cursor: the sort key ({@link IndexKeys#sortKey}) it ends at, base64url. */
    static String encode(String sortKey) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(sortKey.getBytes(StandardCharsets.UTF_8));
    }

    /** The sort key a cursor names, or null for none; 400 for a cursor this gateway did not make. */
    static String cursor(String cursor) {
        if (cursor == null) {
            return null;
        }
        try {
            String sortKey = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (sortKey.matches("[0-9a-f]{16}\u001f.+")) {
                return sortKey;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw ProblemException.invalid(
                List.of(new Problem.FieldError("after", "expected the \"next\" of an earlier page")));
    }

    private static String queryString(InstanceFilter f, String after, int limit) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("definitionId", f.definitionId());
        params.put("definitionVersion", f.definitionVersion());
        params.put("state", f.state());
        params.put("statusCode", f.statusCode());
        params.put("entityType", f.entityType());
        params.put("entityId", f.entityId());
        params.put("errorCode", f.errorCode());
        params.put("waitingFor", f.waitingFor());
        params.put("from", f.from());
        params.put("to", f.to());
        params.put("assignee", f.assignee());
        params.put("parentInstanceId", f.parentInstanceId());
        params.put("after", after == null ? null : encode(after));
        params.put("limit", limit);
        StringBuilder query = new StringBuilder();
        params.forEach((name, v) -> {
            if (v != null) {
                query.append(query.isEmpty() ? "" : "&")
                        .append(name)
                        .append('=')
                        .append(URLEncoder.encode(v.toString(), StandardCharsets.UTF_8));
            }
        });
        return query.toString();
    }

    private static Integer number(String text, String name, String expected, List<Problem.FieldError> errors) {
        if (text == null) {
            return null;
        }
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            errors.add(new Problem.FieldError(name, "expected " + expected));
            return null;
        }
    }

    private static Instant instant(String text, String name, List<Problem.FieldError> errors) {
        if (text == null) {
            return null;
        }
        try {
            Instant instant = Instant.parse(text);
            instant.toEpochMilli(); // within the range of the stores' times
            return instant;
        } catch (DateTimeParseException | ArithmeticException e) {
            errors.add(new Problem.FieldError(name, "expected an ISO-8601 instant"));
            return null;
        }
    }

    private static Set<Integer> partitions(JsonNode answer) {
        Set<Integer> partitions = new TreeSet<>();
        answer.path("partitions").forEach(p -> partitions.add(p.asInt()));
        return partitions;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(JsonNode node) {
        return Json.MAPPER.convertValue(node, LinkedHashMap.class);
    }

    static Map<String, Object> view(InstanceSummary s) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("instanceId", s.getInstanceId());
        view.put("definitionId", s.getDefinitionId());
        view.put("definitionVersion", s.getDefinitionVersion());
        view.put("entityType", s.getEntityType());
        view.put("entityId", s.getEntityId());
        view.put("state", s.getState().name());
        view.put("statusCode", s.getStatusCode());
        view.put("reason", s.getReason());
        view.put("retryCount", s.getRetryCount());
        view.put("errorCode", s.getErrorCode());
        view.put("errorMessage", s.getErrorMessage());
        view.put("waitingFor", s.getWaitingFor());
        view.put("stepName", s.getStepName());
        view.put("parentInstanceId", s.getParentInstanceId());
        view.put(
                "workItems",
                s.getWorkItems().stream().map(InstanceQueries::view).toList());
        view.put(
                "waitingUntil",
                s.getWaitingUntil() == null ? null : s.getWaitingUntil().toString());
        view.put("createdAt", s.getCreatedAt().toString());
        view.put("updatedAt", s.getUpdatedAt().toString());
        return view;
    }

    private static Map<String, Object> view(WorkItem item) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", item.getId());
        view.put("assignee", item.getAssignee());
        view.put("queue", item.getQueue());
        view.put("step", item.getStep());
        view.put("subject", item.getSubject());
        view.put("dueAt", item.getDueAt() == null ? null : item.getDueAt().toString());
        view.put("delegatedFrom", item.getDelegatedFrom());
        view.put("escalatedFrom", item.getEscalatedFrom());
        return view;
    }

    private static Map<String, Object> view(InstanceTransition t) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("sequence", t.getSequence());
        view.put("state", t.getState().name());
        view.put("statusCode", t.getStatusCode());
        view.put("timestamp", t.getTimestamp().toString());
        view.put("reason", t.getReason());
        view.put("retryCount", t.getRetryCount());
        view.put("errorCode", t.getErrorCode());
        return view;
    }
}
