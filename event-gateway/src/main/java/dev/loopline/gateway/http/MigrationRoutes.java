package dev.loopline.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loopline.api.internal.Migration;
import dev.loopline.api.internal.OperatorAction;
import dev.loopline.api.internal.OperatorCommand;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.definition.MigrationPlan;
import dev.loopline.definition.json.FieldError;
import dev.loopline.definition.json.JsonFields;
import dev.loopline.gateway.kafka.DefinitionRepository;
import dev.loopline.gateway.query.InstanceFilter;
import dev.loopline.gateway.query.PartialPage;
import dev.loopline.gateway.security.Principals;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Migrations of running instances to another version of their definition.
 *
 * <pre>
 * POST /v1/migrations[?dryRun=true]  {definitionId, sourceVersion, targetVersion,
 *                                     steps: {source step: target step}, variables: {name: CEL},
 *                                     filter: {…}}
 * </pre>
 *
 * The plan is checked against the two versions ({@link MigrationPlan}): 400 with a field error for
 * each step it cannot map. A dry run pages through the matching instances and answers 200 with how
 * many each rule would move and which it would leave, and why, as far as the query side can tell.
 * A real run is a background operation ({@link BulkOperations}, 202, progress at {@code GET
 * /v1/operations/{id}}) that sends each matching instance a MIGRATE command with the target
 * version's snapshot; the runtime applies it in one transaction, or refuses it with the reason.
 * The filter takes those of {@code GET /v1/instances}; its definition and version are the plan's,
 * and its state, unless it names one, Suspended.
 */
final class MigrationRoutes {

    private static final Set<String> FIELDS =
            Set.of("definitionId", "sourceVersion", "targetVersion", "steps", "variables", "filter");
    private static final int REFUSALS_SHOWN = 100;

    private final DefinitionRepository definitions;
    private final InstanceQueries queries;
    private final BulkOperations bulk;

    MigrationRoutes(DefinitionRepository definitions, InstanceQueries queries, BulkOperations bulk) {
        this.definitions = definitions;
        this.queries = queries;
        this.bulk = bulk;
    }

    void start(Context ctx) throws InterruptedException {
        JsonNode body = Json.objectBody(ctx);
        JsonFields fields = new JsonFields();
        fields.onlyKnown(body, "", FIELDS);
        String definitionId = fields.text(body, "definitionId", "definitionId", true);
        Integer sourceVersion = version(fields, body, "sourceVersion");
        Integer targetVersion = version(fields, body, "targetVersion");
        Map<String, String> steps = texts(fields, body, "steps", true);
        Map<String, String> variables = texts(fields, body, "variables", false);
        JsonNode filterNode = fields.object(body, "filter", "filter", false);
        fields.throwIfInvalid();
        List<WorkflowDefinition> versions = definitions.versions(definitionId);
        if (versions.isEmpty()) {
            throw ProblemException.notFound("definition " + definitionId);
        }
        Optional<WorkflowDefinition> source = version(versions, sourceVersion);
        Optional<WorkflowDefinition> target = version(versions, targetVersion);
        if (source.isEmpty()) {
            fields.error("sourceVersion", "definition " + definitionId + " has no version " + sourceVersion);
        }
        if (target.isEmpty()) {
            fields.error("targetVersion", "definition " + definitionId + " has no version " + targetVersion);
        } else if (sourceVersion.equals(targetVersion)) {
            fields.error("targetVersion", "is the source version");
        }
        fields.throwIfInvalid();
        for (FieldError error : MigrationPlan.check(source.get(), target.get(), steps, variables)) {
            fields.error(error.field(), error.message());
        }
        fields.throwIfInvalid();
        ObjectNode filterBody = Json.MAPPER.createObjectNode();
        if (filterNode != null) {
            filterBody.setAll((ObjectNode) filterNode);
        }
        filterBody.put("definitionId", definitionId);
        filterBody.put("definitionVersion", sourceVersion);
        if (!filterBody.hasNonNull("state") && !filterBody.hasNonNull("statusCode")) {
            filterBody.put("state", "SUSPENDED");
        }
        Set<String> names = new HashSet<>();
        filterBody.fieldNames().forEachRemaining(names::add);
        InstanceFilter filter = InstanceQueries.filter(
                names,
                name -> filterBody.hasNonNull(name) ? filterBody.get(name).asText() : null,
                false);
        if ("true".equals(ctx.queryParam("dryRun"))) {
            Json.respond(ctx, 200, dryRun(ctx, filter, filterBody, steps));
            return;
        }
        String migrationId = UUID.randomUUID().toString();
        String principal = Principals.nameOf(ctx);
        OperatorCommand.Builder command = OperatorCommand.newBuilder()
                .setAction(OperatorAction.MIGRATE)
                .setPrincipal(principal)
                .setNote("migration " + migrationId)
                .setMigration(Migration.newBuilder()
                        .setMigrationId(migrationId)
                        .setSourceVersion(sourceVersion)
                        // as the runtime's catalog snapshots it: without its document
                        .setTarget(WorkflowDefinition.newBuilder(target.get())
                                .setDocument("")
                                .build())
                        .setSteps(steps)
                        .setVariables(variables)
                        .build());
        BulkOperations.Operation operation = bulk.start(
                queries.self(),
                OperatorAction.MIGRATE,
                filter,
                filterBody,
                command,
                principal,
                QueryPeers.credentials(ctx));
        ctx.header("Location", "/v1/operations/" + operation.id);
        Map<String, Object> answer = new LinkedHashMap<>(operation.view());
        answer.put("migrationId", migrationId);
        Json.respond(ctx, 202, answer);
    }

    /** What a run would do, from the query side's summaries: counts per rule, and the refusals. */
    private Map<String, Object> dryRun(
            Context ctx, InstanceFilter filter, JsonNode filterBody, Map<String, String> steps)
            throws InterruptedException {
        Map<String, Long> rules = new TreeMap<>();
        Map<String, Long> reasons = new TreeMap<>();
        List<Map<String, Object>> refusals = new ArrayList<>();
        long matched = 0;
        String after = null;
        do {
            PartialPage<Map<String, Object>> page =
                    queries.page(QueryPeers.credentials(ctx), filter, after, InstanceQueries.MAX_PAGE);
            for (PartialPage.Item<Map<String, Object>> item : page.items()) {
                matched++;
                Map<String, Object> instance = item.value();
                String reason = refusal(instance, steps);
                if (reason == null) {
                    String step = (String) instance.get("stepName");
                    rules.merge(step + " → " + steps.get(step), 1L, Long::sum);
                } else {
                    reasons.merge(reason, 1L, Long::sum);
                    if (refusals.size() < REFUSALS_SHOWN) {
                        refusals.add(Map.of("instanceId", instance.get("instanceId"), "reason", reason));
                    }
                }
            }
            after = page.boundary();
        } while (after != null);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("dryRun", true);
        answer.put("filter", filterBody);
        answer.put("matched", matched);
        answer.put(
                "migrated", rules.values().stream().mapToLong(Long::longValue).sum());
        answer.put("rules", rules);
        answer.put(
                "refused", reasons.values().stream().mapToLong(Long::longValue).sum());
        answer.put("reasons", reasons);
        answer.put("refusals", refusals);
        return answer;
    }

    /** Why the runtime would leave this instance alone, as its summary tells; null if it would move it. */
    private static String refusal(Map<String, Object> instance, Map<String, String> steps) {
        // the runtime refuses more (a step that cannot be mapped, compensations the target lacks);
        // the summary shows the state and the step
        String state = (String) instance.get("state");
        if (!"SUSPENDED".equals(state) && !"READY".equals(state)) {
            return "it is " + state + "; only Ready and Suspended instances are migrated";
        }
        Object step = instance.get("stepName");
        if (step == null) {
            return "it has not started its steps";
        }
        if (!steps.containsKey(step)) {
            return "it waits at step " + step + ", which the plan does not map";
        }
        return null;
    }

    private static Optional<WorkflowDefinition> version(List<WorkflowDefinition> versions, Integer version) {
        return versions.stream()
                .filter(definition -> version != null && definition.getVersion() == version)
                .findFirst();
    }

    private static Integer version(JsonFields fields, JsonNode body, String name) {
        if (!body.has(name)) {
            fields.error(name, "is required");
            return null;
        }
        Integer version = fields.nonNegativeInt(body, name, name);
        if (version != null && version < 1) {
            fields.error(name, "expected a version, 1 or more");
        }
        return version;
    }

    /** An object of texts: step names, or variables' expressions. */
    private static Map<String, String> texts(JsonFields fields, JsonNode body, String name, boolean required) {
        JsonNode node = fields.object(body, name, name, required);
        Map<String, String> texts = new TreeMap<>();
        if (node == null) {
            return texts;
        }
        node.properties().forEach(entry -> {
            if (entry.getValue().isTextual() && !entry.getValue().asText().isBlank()) {
                texts.put(entry.getKey(), entry.getValue().asText());
            } else {
                fields.error(name + "." + entry.getKey(), "expected a non-empty text");
            }
        });
        if (texts.size() > 1_000) {
            fields.error(name, "at most 1,000 entries");
        }
        return texts;
    }
}
