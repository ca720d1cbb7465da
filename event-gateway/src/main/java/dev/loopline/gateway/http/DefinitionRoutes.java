package dev.loopline.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loopline.api.v1.DefinitionStatus;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.definition.DefinitionCompiler;
import dev.loopline.definition.DefinitionLimits;
import dev.loopline.definition.EventWaits;
import dev.loopline.gateway.kafka.DefinitionRepository;
import dev.loopline.gateway.query.IndexKeys;
import dev.loopline.gateway.security.Audit;
import dev.loopline.gateway.security.Principals;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * Definitions for administrators. A document is validated and compiled on deploy; a definition can
 * be edited only while it is not active, and every edit is a new version (Draft). Activation makes
 * the current version the one new events start: a snapshot, which running instances keep to the
 * end while later activations serve new triggers.
 *
 * <pre>
 * POST /v1/definitions                  create or edit (201), 400 with field errors, 409 while active
 * GET  /v1/definitions                  every definition: status, versions, active version, instance counts
 * GET  /v1/definitions/{id}             200, 404
 * GET  /v1/definitions/{id}/versions/{version}   one saved version: 200, 404
 * POST /v1/definitions/{id}/activate    200 (idempotent)
 * POST /v1/definitions/{id}/deactivate  200 (idempotent)
 * </pre>
 */
final class DefinitionRoutes {

    /** Compiles of a small definition at start (about a second of one core), warming the compiler. */
    private static final int WARM_UP_ROUNDS = 300;

    private final DefinitionRepository repository;
    private final InstanceQueries instances;
    private final DefinitionCompiler compiler = new DefinitionCompiler();
    private final Clock clock;
    /**
     * Edits of one definition are serialised (read the current version, write the next) by one of
     * a fixed set of locks, chosen by the id's hash: a lock per id ever asked for grew without
     * bound, 404s included. Two ids may share a lock; that only makes their edits take turns.
     */
    private final Object[] locks =
            IntStream.range(0, 64).mapToObj(i -> new Object()).toArray();

    DefinitionRoutes(DefinitionRepository repository, InstanceQueries instances, Clock clock) {
        this.repository = repository;
        this.instances = instances;
        this.clock = clock;
        // in the background, so that the first deploys after a start are as fast as later ones
        Thread warmUp = new Thread(() -> new DefinitionCompiler().warmUp(WARM_UP_ROUNDS), "loopline-compiler-warm-up");
        warmUp.setDaemon(true);
        warmUp.setPriority(Thread.MIN_PRIORITY);
        warmUp.start();
    }

    void save(Context ctx) {
        if (ctx.bodyAsBytes().length > DefinitionLimits.MAX_DOCUMENT_BYTES) {
            throw new ProblemException(
                    413,
                    "too-large",
                    "Definition too large",
                    "a definition document may have at most " + DefinitionLimits.MAX_DOCUMENT_BYTES + " bytes, not "
                            + ctx.bodyAsBytes().length,
                    List.of());
        }
        WorkflowDefinition edited = compiler.compile(Json.textBody(ctx), clock.instant());
        WorkflowDefinition saved;
        synchronized (lock(edited.getId())) {
            Optional<WorkflowDefinition> existing = repository.find(edited.getId());
            if (existing.isPresent() && existing.get().getStatus() == DefinitionStatus.ACTIVE) {
                throw ProblemException.conflict("definition " + edited.getId() + " is active (version "
                        + existing.get().getVersion() + "): deactivate it before editing");
            }
            edited.setVersion(existing.map(d -> d.getVersion() + 1).orElse(1));
            // instances of earlier versions keep waiting for what those waited for
            edited.setEarlierWaits(EventWaits.carried(repository.versions(edited.getId()), edited));
            edited.setUpdatedBy(Principals.nameOf(ctx));
            saved = repository.saveNewVersion(edited);
        }
        Audit.definition(
                ctx,
                "saved",
                saved.getId(),
                saved.getVersion(),
                saved.getStatus().name());
        ctx.header("Location", "/v1/definitions/" + saved.getId());
        Json.respond(ctx, 201, view(saved));
    }

    void get(Context ctx) {
        String id = ctx.pathParam("id");
        Json.respond(ctx, 200, view(repository.find(id).orElseThrow(() -> notFound(id))));
    }

    /**
     * Every definition with its status, its versions, the version new events start (while it is
     * active) and its instances by state and status, from the query side (503 while that cannot
     * count every partition).
     */
    void list(Context ctx) throws InterruptedException {
        Map<String, Map<String, Map<String, Long>>> counts = new TreeMap<>();
        instances.totals(QueryPeers.credentials(ctx)).forEach((key, count) -> {
            String[] parts = IndexKeys.countParts(key);
            counts.computeIfAbsent(parts[0], id -> new TreeMap<>())
                    .computeIfAbsent(parts[1], state -> new TreeMap<>())
                    .merge(Integer.toString(Integer.parseInt(parts[2])), count, Long::sum);
        });
        List<Map<String, Object>> items = new ArrayList<>();
        for (WorkflowDefinition definition : repository.all()) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("id", definition.getId());
            item.put("name", definition.getName());
            item.put("status", definition.getStatus().name());
            item.put("version", definition.getVersion());
            item.put(
                    "activeVersion",
                    definition.getStatus() == DefinitionStatus.ACTIVE ? definition.getVersion() : null);
            item.put(
                    "versions",
                    repository.versions(definition.getId()).stream()
                            .map(DefinitionRoutes::versionSummary)
                            .toList());
            item.put("instances", counts.getOrDefault(definition.getId(), Map.of()));
            items.add(item);
        }
        Json.respond(ctx, 200, Map.of("items", items));
    }

    void version(Context ctx) {
        String id = ctx.pathParam("id");
        int version;
        try {
            version = Integer.parseInt(ctx.pathParam("version"));
        } catch (NumberFormatException e) {
            throw ProblemException.notFound("version " + ctx.pathParam("version") + " of definition " + id);
        }
        Json.respond(
                ctx,
                200,
                view(repository.versions(id).stream()
                        .filter(d -> d.getVersion() == version)
                        .findFirst()
                        .orElseThrow(() -> ProblemException.notFound("version " + version + " of definition " + id))));
    }

    private static Map<String, Object> versionSummary(WorkflowDefinition version) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("version", version.getVersion());
        summary.put("status", version.getStatus().name());
        summary.put("updatedAt", version.getUpdatedAt().toString());
        summary.put("updatedBy", version.getUpdatedBy());
        return summary;
    }

    /** The JSON Schema that definition documents follow (as the console's editor checks them). */
    void schema(Context ctx) throws java.io.IOException {
        try (java.io.InputStream in = DefinitionCompiler.class.getResourceAsStream("definition.schema.json")) {
            if (in == null) {
                throw ProblemException.notFound("the definition schema");
            }
            ctx.contentType("application/schema+json").result(in.readAllBytes());
        }
    }

    void activate(Context ctx) {
        changeStatus(ctx, DefinitionStatus.ACTIVE);
    }

    void deactivate(Context ctx) {
        changeStatus(ctx, DefinitionStatus.INACTIVE);
    }

    private void changeStatus(Context ctx, DefinitionStatus status) {
        String id = ctx.pathParam("id");
        WorkflowDefinition result;
        synchronized (lock(id)) {
            WorkflowDefinition current = repository.find(id).orElseThrow(() -> notFound(id));
            if (current.getStatus() == status) {
                result = current;
            } else {
                WorkflowDefinition changed = WorkflowDefinition.newBuilder(current)
                        .setStatus(status)
                        .setUpdatedAt(clock.instant())
                        .setUpdatedBy(Principals.nameOf(ctx))
                        .build();
                result = repository.save(changed);
            }
        }
        Audit.definition(
                ctx,
                status == DefinitionStatus.ACTIVE ? "activate" : "deactivate",
                id,
                result.getVersion(),
                result.getStatus().name());
        Json.respond(ctx, 200, view(result));
    }

    /** The stored definition: its life-cycle fields and the document as written. */
    static Map<String, Object> view(WorkflowDefinition definition) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", definition.getId());
        view.put("version", definition.getVersion());
        view.put("name", definition.getName());
        view.put("status", definition.getStatus().name());
        view.put("updatedAt", definition.getUpdatedAt().toString());
        view.put("updatedBy", definition.getUpdatedBy());
        view.put("document", document(definition));
        return view;
    }

    private static JsonNode document(WorkflowDefinition definition) {
        try {
            return Json.MAPPER.readTree(definition.getDocument().isEmpty() ? "{}" : definition.getDocument());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Object lock(String id) {
        return locks[Math.floorMod(id.hashCode(), locks.length)];
    }

    private static ProblemException notFound(String id) {
        return ProblemException.notFound("definition " + id);
    }
}
