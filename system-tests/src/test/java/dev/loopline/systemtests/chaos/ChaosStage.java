package dev.loopline.systemtests.chaos;

import dev.loopline.api.TopicProvisioner;
import dev.loopline.api.Topics;
import dev.loopline.api.v1.DefinitionStatus;
import dev.loopline.api.v1.WorkflowDefinition;
import dev.loopline.definition.DefinitionCompiler;
import dev.loopline.systemtests.support.Records;
import dev.loopline.systemtests.support.TestRuntime;
import dev.loopline.systemtests.support.TestTopics;
import dev.loopline.testsupport.infra.Infrastructure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;

/**
 * What every chaos experiment starts from: its own topics ({@value #PARTITIONS} partitions), the
 * active definition the load triggers, a directory for logs and the report, and the
 * settings its processes share.
 */
record ChaosStage(Topics topics, Path dir, Map<String, String> settings) {

    static final String DEFINITION = "expenses";
    static final int PARTITIONS = 6;
    /** A tuning experiment's {@code -Dloopline.chaos.runtime.<NAME>=<value>} reaches every runtime process. */
    static final String RUNTIME_SETTING_PREFIX = "loopline.chaos.runtime.";

    static ChaosStage prepare(Infrastructure infra, String name, short replicationFactor) throws IOException {
        Topics topics = TestTopics.unique(name);
        try (Admin admin = infra.admin()) {
            TopicProvisioner.ensureTopics(admin, topics, PARTITIONS, replicationFactor);
        }
        Records.write(infra, topics, definition());
        Map<String, String> settings = TestRuntime.settings(infra, topics);
        settings.put("LOOPLINE_REPLICATION_FACTOR", Short.toString(replicationFactor));
        return new ChaosStage(topics, Files.createDirectories(Path.of("target", "chaos", topics.prefix())), settings);
    }

    /**
     * The definition the load triggers: two parallel branches joined on all (so every instance's
     * branch table changes under the faults), one of them a message step that declares its
     * compensation (so does its compensation stack), then a log step (an audit transition).
     */
    static WorkflowDefinition definition() {
        WorkflowDefinition compiled = new DefinitionCompiler()
                .compile(
                        """
                        {"id":"%s","name":"%s","trigger":{"entityType":"%s","messageName":"%s"},
                         "steps":[{"name":"both","kind":"parallel","branches":[
                                    {"name":"approve","steps":[{"name":"approval","kind":"send-message",
                                      "messageName":"RequestApproval","compensation":{"messageName":"WithdrawApproval"}}]},
                                    {"name":"notify","steps":[{"name":"notice","kind":"send-message",
                                      "messageName":"NotifyOwner"}]}]},
                                  {"name":"audit","kind":"log","entry":"'approved ' + trigger.entityId"}]}""".formatted(DEFINITION, DEFINITION, EventLoad.ENTITY_TYPE, EventLoad.MESSAGE_NAME),
                        Instant.now());
        return WorkflowDefinition.newBuilder(compiled)
                .setStatus(DefinitionStatus.ACTIVE)
                .setVersion(1)
                .build();
    }

    /** The runtime processes' settings: the shared ones and the experiment's. */
    Map<String, String> runtimeSettings() {
        Map<String, String> runtime = new HashMap<>(settings);
        runtime.putAll(experimentSettings());
        return runtime;
    }

    /** The experiment's own runtime settings, from {@value #RUNTIME_SETTING_PREFIX}* system properties. */
    static Map<String, String> experimentSettings() {
        Map<String, String> experiment = new TreeMap<>();
        System.getProperties().stringPropertyNames().stream()
                .filter(key -> key.startsWith(RUNTIME_SETTING_PREFIX))
                .forEach(
                        key -> experiment.put(key.substring(RUNTIME_SETTING_PREFIX.length()), System.getProperty(key)));
        return experiment;
    }
}
