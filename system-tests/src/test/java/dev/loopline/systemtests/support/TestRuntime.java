package dev.loopline.systemtests.support;

import dev.loopline.api.Topics;
import dev.loopline.testsupport.infra.Directories;
import dev.loopline.testsupport.infra.Infrastructure;
import java.util.HashMap;
import java.util.Map;

/** Settings for a runtime (and gateway) of one test: its own topics, application id and empty state directory. */
public final class TestRuntime {

    private TestRuntime() {}

    public static Map<String, String> settings(Infrastructure infra, Topics topics) {
        Map<String, String> settings = new HashMap<>();
        settings.put("LOOPLINE_BOOTSTRAP_SERVERS", infra.bootstrapServers());
        settings.put("LOOPLINE_SCHEMA_REGISTRY_URL", infra.schemaRegistryUrl());
        settings.put("LOOPLINE_TOPIC_PREFIX", topics.prefix());
        settings.put("LOOPLINE_APPLICATION_ID", topics.prefix() + "runtime");
        settings.putAll(GatewayClient.authSettings());
        settings.put("LOOPLINE_MANAGEMENT_PORT", "0"); // runtimes run side by side
        settings.put(
                "LOOPLINE_STATE_DIR",
                Directories.temporary("loopline-it-state-").toString());
        return settings;
    }
}
