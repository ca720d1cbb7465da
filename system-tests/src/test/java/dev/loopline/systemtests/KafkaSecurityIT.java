package dev.loopline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.loopline.api.TopicProvisioner;
import dev.loopline.api.Topics;
import dev.loopline.api.config.KafkaOverrides;
import dev.loopline.gateway.EventGateway;
import dev.loopline.gateway.GatewayConfig;
import dev.loopline.runtime.LooplineRuntime;
import dev.loopline.runtime.config.RuntimeConfig;
import dev.loopline.runtime.domain.InstanceIds;
import dev.loopline.systemtests.support.GatewayClient;
import dev.loopline.systemtests.support.TestRuntime;
import dev.loopline.systemtests.support.TestTopics;
import dev.loopline.testsupport.handler.AcknowledgingHandler;
import dev.loopline.testsupport.infra.Infrastructure;
import dev.loopline.testsupport.infra.SecureKafkaBroker;
import dev.loopline.testsupport.junit.LooplineInfrastructureExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every Loopline process works on a secured broker with exactly the ACLs of {@code
 * docs/kafka-acls.md} ({@link #looplineAcls}), and no more: a broker of its own (not the one the
 * other tests share) with TLS everywhere, SCRAM-SHA-512 on its SASL_SSL listener, client
 * certificates on its MTLS listener, and {@code StandardAuthorizer} denying what no ACL allows. The
 * runtime runs as {@code User:runtime} and the gateway, its query side included, as {@code
 * User:gateway} (both SCRAM, through {@code LOOPLINE_KAFKA_*}), and the handler as {@code
 * User:handler} with its certificate; one instance, defined and started through the gateway, runs
 * to Succeeded and shows in the gateway's queries. The handler may not write commands or
 * definitions.
 *
 * <p>The schema registry stays plain HTTP without authentication here: only Kafka is secured.
 *
 */
@ExtendWith(LooplineInfrastructureExtension.class)
class KafkaSecurityIT {

    private static final String RUNTIME = "runtime";
    private static final String GATEWAY = "gateway";
    private static final String HANDLER = "handler";

    @Test
    @Timeout(120)
    void shouldRunAnInstanceWithLeastPrivilegeAclsAndDenyTheRest(Infrastructure infra) throws Exception {
        // given
        Topics topics = TestTopics.unique("security");
        Map<String, String> settings = TestRuntime.settings(infra, topics);
        String applicationId = settings.get("LOOPLINE_APPLICATION_ID");
        String handlerGroup = topics.prefix() + "handler";
        Map<String, String> passwords = Map.of(
                RUNTIME, UUID.randomUUID().toString(),
                GATEWAY, UUID.randomUUID().toString(),
                HANDLER, UUID.randomUUID().toString());
        try (SecureKafkaBroker broker = SecureKafkaBroker.start(Set.of(HANDLER))) {
            List<AclBinding> acls = looplineAcls(topics, applicationId, handlerGroup);
            try (Admin admin = Admin.create(objects(broker.superUserConfig()))) {
                createScramUsers(admin, passwords);
                admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
                TopicProvisioner.ensureTopics(admin, topics, 2, (short) 1);
                // users and ACLs reach the broker's metadata cache and authorizer asynchronously
                await().atMost(Duration.ofSeconds(30))
                        .until(() ->
                                admin.describeUserScramCredentials().all().get().size() == passwords.size()
                                        && admin.describeAcls(AclBindingFilter.ANY)
                                                        .values()
                                                        .get()
                                                        .size()
                                                == acls.size());
            }
            settings.put("LOOPLINE_PARTITIONS", "2");
            settings.put("LOOPLINE_BOOTSTRAP_SERVERS", broker.bootstrapServers());
            settings.putAll(KafkaOverrides.toEnvironment(broker.scramClientConfig(RUNTIME, passwords.get(RUNTIME))));
            // the gateway, as User:gateway: its producers, its definitions reader and its query side
            Map<String, String> gatewaySettings = new HashMap<>(GatewayClient.authSettings());
            gatewaySettings.put("LOOPLINE_BOOTSTRAP_SERVERS", broker.bootstrapServers());
            gatewaySettings.put("LOOPLINE_SCHEMA_REGISTRY_URL", infra.schemaRegistryUrl());
            gatewaySettings.put("LOOPLINE_TOPIC_PREFIX", topics.prefix());
            gatewaySettings.put("LOOPLINE_HTTP_HOST", "127.0.0.1");
            gatewaySettings.put("LOOPLINE_HTTP_PORT", "0");
            gatewaySettings.putAll(
                    KafkaOverrides.toEnvironment(broker.scramClientConfig(GATEWAY, passwords.get(GATEWAY))));
            Map<String, Object> handlerClients = withRegistry(infra, broker.certificateClientConfig(HANDLER));

            try (LooplineRuntime runtime = LooplineRuntime.start(RuntimeConfig.from(settings));
                    AcknowledgingHandler handler = AcknowledgingHandler.start(handlerClients, topics, handlerGroup);
                    EventGateway eventGateway = EventGateway.start(GatewayConfig.from(gatewaySettings))) {
                GatewayClient gateway = new GatewayClient(eventGateway.port());
                assertThat(runtime.awaitRunning(Duration.ofSeconds(60))).isTrue();
                assertThat(eventGateway.awaitQueries(Duration.ofSeconds(60))).isTrue();
                assertThat(gateway.post("/v1/definitions", """
                                {"id":"expenses","name":"expenses","trigger":{"entityType":"expense_report","messageName":"Submitted"},
                                 "steps":[{"name":"notify","kind":"send-message","messageName":"Notify"}]}""").status()).isEqualTo(201);
                assertThat(gateway.post("/v1/definitions/expenses/activate", "").status())
                        .isEqualTo(200);
                await().atMost(Duration.ofSeconds(30))
                        .ignoreException(InvalidStateStoreException.class)
                        .until(() -> runtime.catalogEntry("expenses")
                                .filter(d -> d.getStatus().name().equals("ACTIVE"))
                                .isPresent());

                // when
                assertThat(gateway.post("/v1/events", """
                                {"eventId":"secure-1","source":"erp","entityType":"expense_report","entityId":"report-1","messageName":"Submitted"}""").status()).isEqualTo(202);

                // then: the instance runs to Succeeded, its step acknowledged by the handler, and
                // the gateway's query side shows it, in its list and its counts
                String instanceId = InstanceIds.instanceId("secure-1", "expenses");
                await().atMost(Duration.ofSeconds(45))
                        .until(() -> gateway.get("/v1/instances/" + instanceId)
                                        .json()
                                        .path("statusCode")
                                        .asInt()
                                == 30);
                assertThat(gateway.get("/v1/instances?definitionId=expenses")
                                .json()
                                .get("items"))
                        .hasSize(1);
                assertThat(gateway.get("/v1/instances/counts")
                                .json()
                                .path("COMPLETED")
                                .path("30")
                                .asInt())
                        .isEqualTo(1);
                assertThat(gateway.get("/v1/dead-letters").status()).isEqualTo(200);
                assertThat(handler.handled()).isGreaterThanOrEqualTo(2); // "workflow started" and the step
            }

            // and: the handler, however it authenticates, may write neither commands nor definitions
            for (Map<String, String> handlerConfig : List.of(
                    broker.certificateClientConfig(HANDLER),
                    broker.scramClientConfig(HANDLER, passwords.get(HANDLER)))) {
                Map<String, Object> config = objects(handlerConfig);
                config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
                try (var producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
                    for (String topic : List.of(topics.instanceCommands(), topics.definitions())) {
                        assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topic, "instance-1", "forged"))
                                        .get(30, TimeUnit.SECONDS))
                                .as("handler writing to %s", topic)
                                .hasCauseInstanceOf(TopicAuthorizationException.class);
                    }
                }
            }
        }
    }

    /**
     * Loopline's ACLs, exactly the table of {@code docs/kafka-acls.md}: what each principal's
     * clients read, write, create and join, and nothing else.
     */
    static List<AclBinding> looplineAcls(Topics topics, String applicationId, String handlerGroup) {
        List<AclBinding> acls = new ArrayList<>();
        String runtime = "User:" + RUNTIME;
        // the runtime: the topology's sources and sinks (both applications)
        allow(acls, runtime, ResourceType.TOPIC, topics.definitions(), PatternType.LITERAL, AclOperation.READ);
        allow(acls, runtime, ResourceType.TOPIC, topics.acks(), PatternType.LITERAL, AclOperation.READ);
        for (String readWrite : List.of(
                topics.events(), // written by start-workflow steps
                topics.acksRerouted(),
                topics.instanceCommands(),
                topics.correlationCommands(),
                topics.dependencyCommands(),
                topics.definitionOutcomes(),
                topics.definitionHealth())) {
            allow(
                    acls,
                    runtime,
                    ResourceType.TOPIC,
                    readWrite,
                    PatternType.LITERAL,
                    AclOperation.READ,
                    AclOperation.WRITE);
        }
        for (String written :
                List.of(topics.messages(), topics.transitions(), topics.operatorResults(), topics.deadLetters())) {
            allow(acls, runtime, ResourceType.TOPIC, written, PatternType.LITERAL, AclOperation.WRITE);
        }
        // Kafka Streams: internal topics <application.id>-*-changelog of both applications
        allow(
                acls,
                runtime,
                ResourceType.TOPIC,
                applicationId + "-",
                PatternType.PREFIXED,
                AclOperation.CREATE,
                AclOperation.READ,
                AclOperation.WRITE);
        allow(acls, runtime, ResourceType.GROUP, applicationId, PatternType.LITERAL, AclOperation.READ);
        allow(
                acls,
                runtime,
                ResourceType.GROUP,
                applicationId + LooplineRuntime.EVENTS_SUFFIX,
                PatternType.LITERAL,
                AclOperation.READ);
        // exactly_once_v2: <application.id>-<process id>-<thread>, for both applications
        allow(
                acls,
                runtime,
                ResourceType.TRANSACTIONAL_ID,
                applicationId + "-",
                PatternType.PREFIXED,
                AclOperation.WRITE);

        // its topic check at start must see the gateway's definition-versions topic
        allow(
                acls,
                runtime,
                ResourceType.TOPIC,
                topics.definitionVersions(),
                PatternType.LITERAL,
                AclOperation.DESCRIBE);

        String gateway = "User:" + GATEWAY;
        allow(acls, gateway, ResourceType.TOPIC, topics.events(), PatternType.LITERAL, AclOperation.WRITE);
        allow(
                acls,
                gateway,
                ResourceType.TOPIC,
                topics.definitions(),
                PatternType.LITERAL,
                AclOperation.READ,
                AclOperation.WRITE);
        allow(
                acls,
                gateway,
                ResourceType.TOPIC,
                topics.definitionVersions(),
                PatternType.LITERAL,
                AclOperation.READ,
                AclOperation.WRITE);
        allow(acls, gateway, ResourceType.TOPIC, topics.instanceCommands(), PatternType.LITERAL, AclOperation.WRITE);
        allow(acls, gateway, ResourceType.TOPIC, topics.transitions(), PatternType.LITERAL, AclOperation.READ);
        // the query side's messages store, and the answers given over HTTP
        allow(acls, gateway, ResourceType.TOPIC, topics.messages(), PatternType.LITERAL, AclOperation.READ);
        allow(acls, gateway, ResourceType.TOPIC, topics.acks(), PatternType.LITERAL, AclOperation.READ);
        allow(acls, gateway, ResourceType.TOPIC, topics.acks(), PatternType.LITERAL, AclOperation.WRITE);
        allow(acls, gateway, ResourceType.TOPIC, topics.acksRerouted(), PatternType.LITERAL, AclOperation.READ);
        allow(acls, gateway, ResourceType.TOPIC, topics.operatorResults(), PatternType.LITERAL, AclOperation.READ);
        // its topic check at start lists the topics: one it cannot see, it would try to create
        allow(acls, gateway, ResourceType.TOPIC, topics.prefix(), PatternType.PREFIXED, AclOperation.DESCRIBE);
        // the query side: a Streams application of its own (LOOPLINE_QUERY_APPLICATION_ID, by default <prefix>query)
        String query = topics.prefix() + "query";
        allow(
                acls,
                gateway,
                ResourceType.TOPIC,
                topics.deadLetters(),
                PatternType.LITERAL,
                AclOperation.READ,
                AclOperation.WRITE);
        allow(
                acls,
                gateway,
                ResourceType.TOPIC,
                query + "-",
                PatternType.PREFIXED,
                AclOperation.CREATE,
                AclOperation.READ,
                AclOperation.WRITE);
        allow(acls, gateway, ResourceType.GROUP, query, PatternType.LITERAL, AclOperation.READ);
        allow(acls, gateway, ResourceType.TRANSACTIONAL_ID, query + "-", PatternType.PREFIXED, AclOperation.WRITE);

        String handler = "User:" + HANDLER;
        allow(acls, handler, ResourceType.TOPIC, topics.messages(), PatternType.LITERAL, AclOperation.READ);
        allow(acls, handler, ResourceType.TOPIC, topics.acks(), PatternType.LITERAL, AclOperation.WRITE);
        allow(acls, handler, ResourceType.GROUP, handlerGroup, PatternType.LITERAL, AclOperation.READ);
        return acls;
    }

    private static void allow(
            List<AclBinding> acls,
            String principal,
            ResourceType type,
            String name,
            PatternType pattern,
            AclOperation... operations) {
        for (AclOperation operation : operations) {
            acls.add(new AclBinding(
                    new ResourcePattern(type, name, pattern),
                    new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW)));
        }
    }

    private static void createScramUsers(Admin admin, Map<String, String> passwords) throws Exception {
        List<UserScramCredentialAlteration> users = new ArrayList<>();
        passwords.forEach((user, password) -> users.add(new UserScramCredentialUpsertion(
                user, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password)));
        admin.alterUserScramCredentials(users).all().get(30, TimeUnit.SECONDS);
    }

    private static Map<String, Object> objects(Map<String, String> config) {
        return new HashMap<>(config);
    }

    private static Map<String, Object> withRegistry(Infrastructure infra, Map<String, String> kafka) {
        Map<String, Object> config = objects(kafka);
        config.put("schema.registry.url", infra.schemaRegistryUrl());
        return config;
    }
}
