package dev.loopline.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loopline.api.TopicProvisioner;
import dev.loopline.api.Topics;
import dev.loopline.api.security.ApiKeyStore;
import dev.loopline.api.security.Role;
import dev.loopline.api.serde.AvroSerdes;
import dev.loopline.api.v1.Acknowledgement;
import dev.loopline.api.v1.DefinitionStatus;
import dev.loopline.api.v1.WorkflowMessage;
import dev.loopline.client.Ack;
import dev.loopline.client.Message;
import dev.loopline.gateway.EventGateway;
import dev.loopline.gateway.GatewayConfig;
import dev.loopline.runtime.LooplineRuntime;
import dev.loopline.runtime.config.RuntimeConfig;
import dev.loopline.testsupport.infra.Directories;
import dev.loopline.testsupport.infra.Infrastructure;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;

/**
 * A Loopline deployment for tests, and the given/when/then API over it. One is started per test
 * run by {@link LooplineExtension}; tests share it, so each test uses its own entity ids.
 *
 * <ul>
 *   <li><b>Given:</b> {@link #deploy} saves and activates a definition and waits until the runtime
 *       has it.
 *   <li><b>When:</b> {@link #publish} sends a platform event through the gateway, as an upstream
 *       system does; {@link Published#run} names the instance it starts.
 *   <li><b>Then:</b> {@link WorkflowRun} waits for a status, asserts on the messages posted,
 *       answers them, and resumes a suspended step.
 * </ul>
 *
 * An application under test connects with {@link #kafkaProperties} (its own {@code
 * loopline-client} handlers), or answers over HTTP at {@link #gatewayUrl} with {@link #apiKey}.
 */
public final class Loopline implements AutoCloseable {

    /** How long a wait lasts by default. */
    public static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SETTINGS_RESOURCE = "loopline-testkit.properties";

    private final Infrastructure infrastructure;
    private final Topics topics;
    private final LooplineRuntime runtime;
    private final EventGateway gateway;
    private final String apiKey;
    private final HttpClient http = HttpClient.newHttpClient();
    private final KafkaConsumer<String, byte[]> observer;
    private final KafkaProducer<String, Acknowledgement> acks;
    private final List<Message> posted = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final Thread observing;

    private Loopline(Infrastructure infrastructure, Map<String, String> overrides) {
        this.infrastructure = infrastructure;
        this.topics = Topics.withDefaultPrefix();
        this.apiKey = ApiKeyStore.newKey();
        Map<String, String> settings = new HashMap<>();
        settings.put("LOOPLINE_BOOTSTRAP_SERVERS", infrastructure.bootstrapServers());
        settings.put("LOOPLINE_SCHEMA_REGISTRY_URL", infrastructure.schemaRegistryUrl());
        settings.put("LOOPLINE_TOPIC_PREFIX", topics.prefix());
        settings.put("LOOPLINE_APPLICATION_ID", "loopline-testkit");
        settings.put("LOOPLINE_PARTITIONS", "3");
        settings.put(
                "LOOPLINE_STATE_DIR", Directories.temporary("loopline-testkit-").toString());
        settings.put("LOOPLINE_HTTP_HOST", "127.0.0.1");
        settings.put("LOOPLINE_HTTP_PORT", "0");
        settings.put("LOOPLINE_MANAGEMENT_HOST", "127.0.0.1");
        settings.put("LOOPLINE_MANAGEMENT_PORT", "0");
        settings.put("LOOPLINE_API_KEYS_FILE", keysFile(apiKey).toString());
        settings.putAll(overrides);
        try (Admin admin = infrastructure.admin()) {
            TopicProvisioner.ensureTopics(admin, topics, 3, (short) 1);
        }
        this.runtime = LooplineRuntime.start(RuntimeConfig.from(settings));
        this.gateway = EventGateway.start(GatewayConfig.from(settings));
        AvroSerdes serdes = new AvroSerdes(infrastructure.clientConfig());
        Map<String, Object> producer = new HashMap<>(infrastructure.clientConfig());
        producer.put(ProducerConfig.ACKS_CONFIG, "all");
        this.acks = new KafkaProducer<>(
                producer,
                new StringSerializer(),
                serdes.valueSerde(Acknowledgement.class).serializer());
        Map<String, Object> consumer = new HashMap<>(infrastructure.clientConfig());
        consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.observer = new KafkaConsumer<>(
                consumer, new StringDeserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer());
        Deserializer<WorkflowMessage> messages =
                serdes.valueSerde(WorkflowMessage.class).deserializer();
        this.observing = new Thread(() -> observe(messages), "loopline-testkit-messages");
        this.observing.setDaemon(true);
        this.observing.start();
        try {
            if (!runtime.awaitRunning(TIMEOUT) || !gateway.awaitQueries(TIMEOUT)) {
                throw new IllegalStateException("the Loopline deployment did not start within " + TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting", e);
        }
    }

    /** Starts a deployment: what {@link LooplineExtension} does once per run. */
    public static Loopline start() {
        Infrastructure infrastructure = Infrastructure.start();
        try {
            return new Loopline(infrastructure, settingsResource());
        } catch (RuntimeException e) {
            infrastructure.close();
            throw e;
        }
    }

    private static Map<String, String> settingsResource() {
        Map<String, String> settings = new HashMap<>();
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(SETTINGS_RESOURCE)) {
            if (in != null) {
                Properties properties = new Properties();
                properties.load(in);
                properties.forEach((key, value) -> settings.put(key.toString(), value.toString()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + SETTINGS_RESOURCE, e);
        }
        return settings;
    }

    private static Path keysFile(String key) {
        try {
            Path file = Files.createTempFile("loopline-testkit-keys-", ".json");
            file.toFile().deleteOnExit();
            return Files.writeString(file, "[" + ApiKeyStore.entry(key, "testkit", EnumSet.allOf(Role.class)) + "]");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void observe(Deserializer<WorkflowMessage> messages) {
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            observer.partitionsFor(topics.messages())
                    .forEach(info -> partitions.add(new TopicPartition(info.topic(), info.partition())));
            observer.assign(partitions);
            observer.seekToBeginning(partitions);
            while (!closing.get()) {
                for (ConsumerRecord<String, byte[]> record : observer.poll(Duration.ofMillis(100))) {
                    if (record.value() != null) {
                        posted.add(Message.of(messages.deserialize(record.topic(), record.value())));
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            observer.close();
        }
    }

    // ── given ──

    /** Saves and activates the definition in this file, and waits until the runtime has it; its id. */
    public String deploy(Path definition) {
        try {
            return deploy(Files.readString(definition));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Saves and activates this definition document, and waits until the runtime has it; its id.
     * A definition of that id that is active already (from an earlier test) is deactivated first,
     * and the document saved as its next version.
     */
    public String deploy(String definitionJson) {
        HttpResponse<String> response = send("POST", "/v1/definitions", definitionJson);
        if (response.statusCode() == 409) { // active from an earlier test: a new version replaces it
            String active = json(definitionJson).path("id").asText();
            call("POST", "/v1/definitions/" + active + "/deactivate", "", 200);
            response = send("POST", "/v1/definitions", definitionJson);
        }
        if (response.statusCode() != 201) {
            throw new AssertionError("POST /v1/definitions answered " + response.statusCode() + ": " + response.body());
        }
        JsonNode saved = json(response.body());
        String id = saved.path("id").asText();
        int version = saved.path("version").asInt();
        call("POST", "/v1/definitions/" + id + "/activate", "", 200);
        Awaitility.await("definition " + id + " v" + version + " active in the runtime")
                .atMost(TIMEOUT)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> runtime.catalogEntry(id)
                        .filter(d -> d.getVersion() >= version && d.getStatus() == DefinitionStatus.ACTIVE)
                        .isPresent());
        return id;
    }

    // ── when ──

    /** A platform event to {@link #publish}, with a random id unless {@link EventBuilder#id} sets one. */
    public EventBuilder event(String source, String entityType, String entityId, String messageName) {
        return new EventBuilder(source, entityType, entityId, messageName);
    }

    /** Publishes the event through the gateway ({@code POST /v1/events}), as an upstream system does. */
    public Published publish(EventBuilder event) {
        call("POST", "/v1/events", event.json(), 202);
        return new Published(this, event.eventId());
    }

    /** The instance the event {@code eventId} starts of definition {@code definitionId}. */
    public WorkflowRun run(String eventId, String definitionId) {
        return new WorkflowRun(this, dev.loopline.runtime.domain.InstanceIds.instanceId(eventId, definitionId));
    }

    // ── then ──

    /** Every message the runtime has posted so far (read_committed), in the order read. */
    public List<Message> messages() {
        return List.copyOf(posted);
    }

    /** Answers a message as an application would, echoing its reply token. */
    public void answer(Message message, Ack ack) {
        try {
            acks.send(new ProducerRecord<>(topics.acks(), message.instanceId(), ack.toRecord(message.record())))
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while answering " + message, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Kafka did not take the answer to " + message, e);
        }
    }

    // ── connecting an application ──

    /** Kafka client and serde properties for an application under test, in its own group. */
    public Map<String, Object> kafkaProperties(String groupId) {
        Map<String, Object> properties = new HashMap<>(infrastructure.clientConfig());
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        return properties;
    }

    public Topics topics() {
        return topics;
    }

    /** The gateway's base URL, e.g. {@code http://127.0.0.1:34567}. */
    public String gatewayUrl() {
        return "http://127.0.0.1:" + gateway.port();
    }

    /** A key with every role, for {@code Authorization: Bearer <key>}. */
    public String apiKey() {
        return apiKey;
    }

    /** A gateway call; the answer's JSON, or an {@link AssertionError} if the status is not the one expected. */
    JsonNode call(String method, String path, String body, int expected) {
        HttpResponse<String> response = send(method, path, body);
        if (response.statusCode() != expected) {
            throw new AssertionError(method + " " + path + " answered " + response.statusCode() + ", not " + expected
                    + ": " + response.body());
        }
        return json(response.body());
    }

    HttpResponse<String> send(String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gatewayUrl() + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + apiKey)
                .header("Content-Type", "application/json");
        request.method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static JsonNode json(String body) {
        try {
            return body == null || body.isBlank() ? JSON.nullNode() : JSON.readTree(body);
        } catch (IOException e) {
            return JSON.nullNode();
        }
    }

    @Override
    public void close() {
        closing.set(true);
        observer.wakeup();
        try {
            observing.join(Duration.ofSeconds(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        acks.close(Duration.ofSeconds(5));
        gateway.close();
        runtime.close();
        infrastructure.close();
    }

    /** An event that was published: the instances it starts. */
    public record Published(Loopline loopline, String eventId) {

        /** The instance this event starts of the definition {@code definitionId}. */
        public WorkflowRun run(String definitionId) {
            return loopline.run(eventId, definitionId);
        }
    }
}
