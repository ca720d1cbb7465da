package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loopline.api.Topics;
import dev.loopline.api.config.KafkaOverrides;
import dev.loopline.gateway.GatewaySettings;
import dev.loopline.runtime.config.RuntimeSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The deployment files say what the code does: the manifests and the compose file pass their
 * schemas (deploy/check, in Node.js), the settings they set exist, the topics and ACLs are the
 * code's, the PrometheusRule carries the alert rules, and the alert rules pass promtool's own
 * checks and unit tests.
 */
class DeployFilesTest {

    private static final Path DEPLOY = Path.of("..", "deploy");
    private static final Path KUBERNETES = DEPLOY.resolve("kubernetes");
    private static final Path ALERTS = DEPLOY.resolve("observability/prometheus/loopline-alerts.yaml");

    @Test
    void shouldPassTheSchemasOfKubernetesStrimziThePrometheusOperatorAndCompose() throws Exception {
        Result result = run(List.of("node", "validate.mjs"), DEPLOY.resolve("check"));

        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.output()).containsPattern("[1-9][0-9]* documents checked, 0 problems");
    }

    @Test
    void shouldRefuseAManifestThatBreaksItsSchema(@TempDir Path dir) throws Exception {
        Path broken = Files.writeString(dir.resolve("broken.yaml"), """
                apiVersion: apps/v1
                kind: StatefulSet
                metadata:
                  name: loopline-runtime
                spec:
                  replicas: three
                  serviceName: loopline-runtime
                  selector: {}
                  template: {}
                ---
                apiVersion: kafka.strimzi.io/v1beta2
                kind: KafkaUser
                metadata:
                  name: loopline-gateway
                spec:
                  authorization:
                    type: simple
                    acls:
                      - resource: {type: topik, name: loopline.events}
                        operations: [Write]
                """);

        Result result =
                run(List.of("node", "validate.mjs", broken.toAbsolutePath().toString()), DEPLOY.resolve("check"));

        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.output()).contains("StatefulSet loopline-runtime: data/spec/replicas must be integer");
        assertThat(result.output()).contains("KafkaUser loopline-gateway");
    }

    @Test
    void shouldSetOnlySettingsThatExist() throws IOException {
        Set<String> settings = new HashSet<>();
        RuntimeSettings.all().forEach(setting -> settings.add(setting.name()));
        GatewaySettings.all().forEach(setting -> settings.add(setting.name()));
        List<String> set = new ArrayList<>();
        for (Map<String, Object> document : documents(KUBERNETES.resolve("settings.yaml"))) {
            set.addAll(map(document, "data").keySet());
        }
        for (String workload : List.of("runtime.yaml", "gateway.yaml")) {
            for (Map<String, Object> document : documents(KUBERNETES.resolve(workload))) {
                for (Map<String, Object> container : containers(document)) {
                    for (Map<String, Object> variable : list(container, "env")) {
                        set.add((String) variable.get("name"));
                    }
                }
            }
        }

        assertThat(set)
                .filteredOn(name -> name.startsWith("LOOPLINE_") && !name.startsWith(KafkaOverrides.PREFIX))
                .isNotEmpty()
                .allSatisfy(
                        name -> assertThat(settings).as("%s is a setting", name).contains(name));
    }

    @Test
    void shouldDeclareEveryTopicAsTheProcessesWouldCreateIt() throws IOException {
        Map<String, Object> data =
                map(documents(KUBERNETES.resolve("settings.yaml")).get(0), "data");
        Topics topics = new Topics((String) data.get("LOOPLINE_TOPIC_PREFIX"));
        int partitions = Integer.parseInt((String) data.get("LOOPLINE_PARTITIONS"));
        int replicas = Integer.parseInt((String) data.get("LOOPLINE_REPLICATION_FACTOR"));

        Map<String, Map<String, Object>> declared = documents(KUBERNETES.resolve("kafka-topics.yaml")).stream()
                .collect(Collectors.toMap(d -> (String) map(d, "metadata").get("name"), d -> map(d, "spec")));

        assertThat(declared.keySet())
                .containsExactlyInAnyOrderElementsOf(
                        topics.all().stream().map(Topics.TopicSpec::name).toList());
        for (Topics.TopicSpec topic : topics.all()) {
            Map<String, Object> spec = declared.get(topic.name());
            assertThat(spec.get("partitions")).as(topic.name()).isEqualTo(topic.compacted() ? 1 : partitions);
            assertThat(spec.get("replicas")).as(topic.name()).isEqualTo(replicas);
            Map<String, Object> config = map(spec, "config");
            assertThat(config).as(topic.name()).containsEntry("min.insync.replicas", "2");
            if (topic.compacted()) {
                assertThat(config).as(topic.name()).containsEntry("cleanup.policy", "compact");
            } else {
                assertThat(config).as(topic.name()).doesNotContainKey("cleanup.policy");
            }
        }
    }

    @Test
    void shouldGiveEachUserTheAclsTheSecurityTestProvesEnough() throws IOException {
        Map<String, Set<String>> declared = new java.util.HashMap<>();
        for (Map<String, Object> user : documents(KUBERNETES.resolve("kafka-users.yaml"))) {
            String name = (String) map(user, "metadata").get("name");
            Set<String> acls = new TreeSet<>();
            for (Map<String, Object> acl : list(map(map(user, "spec"), "authorization"), "acls")) {
                Map<String, Object> resource = map(acl, "resource");
                for (Object operation : (List<?>) acl.get("operations")) {
                    acls.add(acl(
                            (String) resource.get("type"),
                            (String) resource.get("name"),
                            (String) resource.get("patternType"),
                            operation.toString()));
                }
            }
            declared.put(name, acls);
        }
        Map<String, Set<String>> proven = new java.util.HashMap<>();
        for (AclBinding binding : KafkaSecurityIT.looplineAcls(
                new Topics(Topics.DEFAULT_PREFIX), RuntimeSettings.APPLICATION_ID.defaultValue(), "expense-handler")) {
            String principal = binding.entry().principal().substring("User:".length());
            proven.computeIfAbsent(principal, p -> new TreeSet<>())
                    .add(acl(
                            binding.pattern().resourceType().name(),
                            binding.pattern().name(),
                            binding.pattern().patternType().name(),
                            binding.entry().operation().name()));
        }

        assertThat(declared.get("loopline-runtime")).isEqualTo(proven.get("runtime"));
        assertThat(declared.get("loopline-gateway")).isEqualTo(proven.get("gateway"));
        assertThat(declared.get("expense-handler")).isEqualTo(proven.get("handler"));
        // and the forms compare: a binding written in Strimzi's words is Kafka's
        assertThat(acl("transactionalId", "loopline-runtime-", "prefix", "Write"))
                .isEqualTo(acl(new AclBinding(
                        new ResourcePattern(ResourceType.TRANSACTIONAL_ID, "loopline-runtime-", PatternType.PREFIXED),
                        new AccessControlEntry("User:runtime", "*", AclOperation.WRITE, AclPermissionType.ALLOW))));
    }

    @Test
    void shouldCarryTheAlertRulesInThePrometheusRule() throws IOException {
        Map<String, Object> rules = documents(ALERTS).get(0);
        Map<String, Object> resource =
                documents(KUBERNETES.resolve("prometheusrule.yaml")).get(0);

        assertThat(map(resource, "spec")).isEqualTo(rules);
    }

    @Test
    void shouldPassPromtoolsChecksAndTheAlertRulesUnitTests() throws Exception {
        assumeTrue(
                onPath("promtool"),
                "promtool is not installed (Debian's prometheus package; .ci/run installs it): the alert rules'"
                        + " syntax and unit tests need it");
        Path rules = ALERTS.getParent();

        Result check = run(List.of("promtool", "check", "rules", "loopline-alerts.yaml"), rules);
        Result tests = run(List.of("promtool", "test", "rules", "loopline-alerts-test.yaml"), rules);

        assertThat(check.exit()).as(check.output()).isZero();
        assertThat(tests.exit()).as(tests.output()).isZero();
        assertThat(tests.output()).contains("SUCCESS");
    }

    private static String acl(AclBinding binding) {
        return acl(
                binding.pattern().resourceType().name(),
                binding.pattern().name(),
                binding.pattern().patternType().name(),
                binding.entry().operation().name());
    }

    /** One ACL in one spelling: Strimzi's {@code transactionalId}, {@code prefix} and {@code Write} as Kafka's. */
    private static String acl(String type, String name, String pattern, String operation) {
        String kafkaType = type.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
        String kafkaPattern =
                pattern.toUpperCase(Locale.ROOT).equals("PREFIX") ? "PREFIXED" : pattern.toUpperCase(Locale.ROOT);
        return kafkaType + " " + name + " " + kafkaPattern + " " + operation.toUpperCase(Locale.ROOT);
    }

    private static List<Map<String, Object>> containers(Map<String, Object> document) {
        if (!List.of("StatefulSet", "Deployment").contains(document.get("kind"))) {
            return List.of();
        }
        return list(map(map(map(document, "spec"), "template"), "spec"), "containers");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        return value == null ? Map.of() : (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        return value == null ? List.of() : (List<Map<String, Object>>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> documents(Path file) throws IOException {
        List<Map<String, Object>> documents = new ArrayList<>();
        for (Object document : new Yaml(new LoaderOptions()).loadAll(Files.readString(file))) {
            if (document != null) {
                documents.add((Map<String, Object>) document);
            }
        }
        return documents;
    }

    private record Result(int exit, String output) {}

    private static Result run(List<String> command, Path directory) throws Exception {
        Process process = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output);
    }

    private static boolean onPath(String program) {
        return List.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)).stream()
                .filter(directory -> !directory.isBlank())
                .anyMatch(directory -> Files.isExecutable(Path.of(directory, program)));
    }
}
