package dev.loopline.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loopline.client.Ack;
import dev.loopline.client.Message;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/** One workflow instance under test: its status, the messages it posted, and answers to them. */
public final class WorkflowRun {

    public static final int READY = 0;
    public static final int SUSPENDED = 10;
    public static final int SUCCEEDED = 30;
    public static final int FAILED = 31;
    public static final int CANCELED = 32;

    private final Loopline loopline;
    private final String instanceId;
    private final Set<String> answered = ConcurrentHashMap.newKeySet();

    WorkflowRun(Loopline loopline, String instanceId) {
        this.loopline = loopline;
        this.instanceId = instanceId;
    }

    public String instanceId() {
        return instanceId;
    }

    /** The instance as {@code GET /v1/instances/{id}} shows it, transitions included; null while unknown. */
    public JsonNode view() {
        var response = loopline.send("GET", "/v1/instances/" + instanceId, null);
        return response.statusCode() == 200 ? Loopline.json(response.body()) : null;
    }

    /** Waits (up to {@link Loopline#TIMEOUT}) until the instance has this status code; its view. */
    public JsonNode awaitStatus(int statusCode) {
        return awaitStatus(statusCode, Loopline.TIMEOUT);
    }

    public JsonNode awaitStatus(int statusCode, Duration timeout) {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        try {
            return Awaitility.await()
                    .atMost(timeout)
                    .pollInterval(Duration.ofMillis(100))
                    .until(
                            () -> {
                                last.set(view());
                                return last.get();
                            },
                            view -> view != null && view.path("statusCode").asInt(-1) == statusCode);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(
                    "instance " + instanceId + " did not reach status " + statusCode + " within " + timeout + "; it is "
                            + (last.get() == null ? "unknown" : last.get().toPrettyString()),
                    e);
        }
    }

    /** The messages the instance posted so far, in order. */
    public List<Message> messages() {
        return loopline.messages().stream()
                .filter(m -> m.instanceId().equals(instanceId))
                .toList();
    }

    /** Waits until the instance has posted a message of this name not yet answered here; the newest. */
    public Message awaitMessage(String name) {
        try {
            return Awaitility.await("a " + name + " message of " + instanceId)
                    .atMost(Loopline.TIMEOUT)
                    .pollInterval(Duration.ofMillis(50))
                    .until(
                            () -> messages().stream()
                                    .filter(m -> m.name().equals(name) && !answered.contains(m.id()))
                                    .reduce((first, second) -> second)
                                    .orElse(null),
                            message -> message != null);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(
                    "instance " + instanceId + " posted no " + name + " message within " + Loopline.TIMEOUT
                            + "; it posted " + messages(),
                    e);
        }
    }

    /** Waits for the next message of this name and answers it; the message. */
    public Message answer(String name, Ack ack) {
        Message message = awaitMessage(name);
        answered.add(message.id());
        loopline.answer(message, ack);
        return message;
    }

    /** Resumes the suspended instance now (an operator's resume): its step runs again. */
    public void resume() {
        loopline.call("POST", "/v1/instances/" + instanceId + "/resume", "{}", 200);
    }
}
