package dev.loopline.systemtests.chaos;

import dev.loopline.api.TopicProvisioner;
import dev.loopline.api.Topics;
import dev.loopline.systemtests.support.Records;
import dev.loopline.systemtests.support.Samples;
import dev.loopline.systemtests.support.TestRuntime;
import dev.loopline.systemtests.support.TestTopics;
import dev.loopline.testsupport.infra.Infrastructure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/**
 * What every chaos experiment starts from: its own topics ({@value #PARTITIONS} partitions), the
 * active one-step definition the load triggers, a directory for logs and the report, and the
 * settings its processes share.
 */
record ChaosStage(Topics topics, Path dir, Map<String, String> settings) {

    static final String DEFINITION = "expenses";
    static final int PARTITIONS = 6;

    static ChaosStage prepare(Infrastructure infra, String name, short replicationFactor) throws IOException {
        Topics topics = TestTopics.unique(name);
        try (Admin admin = infra.admin()) {
            TopicProvisioner.ensureTopics(admin, topics, PARTITIONS, replicationFactor);
        }
        Records.write(infra, topics, Samples.activeOneStep(DEFINITION, EventLoad.ENTITY_TYPE, EventLoad.MESSAGE_NAME));
        Map<String, String> settings = TestRuntime.settings(infra, topics);
        settings.put("LOOPLINE_REPLICATION_FACTOR", Short.toString(replicationFactor));
        return new ChaosStage(topics, Files.createDirectories(Path.of("target", "chaos", topics.prefix())), settings);
    }
}
