package dev.loopline.systemtests.support;

import dev.loopline.api.Topics;
import java.util.UUID;

/** Each test class gets its own topics and application id, so tests sharing a broker never meet. */
public final class TestTopics {

    private TestTopics() {}

    public static Topics unique(String testName) {
        return new Topics("it-" + testName + "-" + UUID.randomUUID().toString().substring(0, 8) + ".");
    }
}
