package dev.loopline.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the gateway refuses before acting: bodies that are not JSON, JSON that is not what it seems,
 * and bulk filters that would widen to every instance. Authentication is off here, as the request
 * rules come after it; the query stores are empty, so a bulk action that passes matches nothing.
 */
class StrictRequestsTest {

    private static final String BULK = "/v1/instances/actions/cancel";
    private static GatewayUnderTest gateway;

    @BeforeAll
    static void start() {
        gateway = GatewayUnderTest.start(Map.of("LOOPLINE_AUTH_DISABLED", "true"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"filter\":\"x\"}",
                "[]",
                "null",
                "{\"filtre\":{\"definitionId\":\"orders\"}}",
                "{\"filter\":{\"definitionID\":\"orders\"}}",
                "{\"filter\":{\"definitionId\":[\"orders\"]}}",
                "{\"filter\":{\"definitionId\":null}}",
                "{\"filter\":{}}",
                "{\"filter\":{},\"confirmAll\":\"yes\"}",
                "{\"filter\":{\"definitionId\":\"orders\"}} trailing",
                "{\"filter\":{\"definitionId\":\"orders\"},\"filter\":{}}",
                "{\"filter\":{\"limit\":5}}"
            })
    void shouldRefuseABulkFilterThatIsMissingMistypedOrWouldMatchEverythingUnasked(String body) {
        HttpResponse<String> response = post(BULK, body);

        assertThat(response.statusCode()).as(body).isEqualTo(400);
        assertProblem(response);
    }

    @Test
    void shouldRefuseABulkActionWithoutABody() {
        HttpResponse<String> response = gateway.post(BULK, new byte[0], "application/json");

        assertThat(response.statusCode()).isEqualTo(400);
        assertProblem(response);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"filter\":{\"definitionId\":\"orders\",\"statusCode\":10}}",
                "{\"filter\":{},\"confirmAll\":true}"
            })
    void shouldActOnAValidFilterOrAConfirmedEmptyOne(String body) {
        HttpResponse<String> response = post(BULK, body);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        String operation = response.headers().firstValue("Location").orElseThrow();
        assertThat(response.body()).contains("\"operationId\"");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<String> progress = gateway.get(operation, Map.of());
            assertThat(progress.statusCode()).isEqualTo(200);
            assertThat(progress.body()).contains("\"state\":\"SUCCEEDED\"").contains("\"matched\":0");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"})
    void shouldRefuseABodyThatIsNotJsonWith415(String contentType) {
        HttpResponse<String> response =
                gateway.post("/v1/events", "{\"source\":\"erp\"}".getBytes(StandardCharsets.UTF_8), contentType);

        assertThat(response.statusCode()).isEqualTo(415);
        assertProblem(response);
    }

    @Test
    void shouldRefuseAnUntypedBodyAndAcceptJsonWithACharset() {
        byte[] body = "{\"source\":\"erp\"}".getBytes(StandardCharsets.UTF_8);

        assertThat(gateway.post("/v1/events", body, null).statusCode()).isEqualTo(415);
        // past the media type: the event itself is incomplete
        assertThat(gateway.post("/v1/events", body, "application/json; charset=utf-8")
                        .statusCode())
                .isEqualTo(400);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"source\":\"erp\",\"source\":\"crm\",\"entityType\":\"a\",\"entityId\":\"1\",\"messageName\":\"Create\"}",
                "{\"source\":\"erp\\ud800\",\"entityType\":\"a\",\"entityId\":\"1\",\"messageName\":\"Create\"}",
                "{\"source\":\"erp\",\"entityType\":\"a\",\"entityId\":\"1\",\"messageName\":\"Create\",\"attributes\":{\"\\udc00\":1}}",
                "{\"source\":\"erp\",\"entityType\":\"a\",\"entityId\":\"1\",\"messageName\":\"Create\"}{}"
            })
    void shouldRefuseJsonThatIsNotWhatItSeems(String body) {
        HttpResponse<String> response = post("/v1/events", body);

        assertThat(response.statusCode()).as(body).isEqualTo(400);
        assertProblem(response);
    }

    @Test
    void shouldRefuseMalformedUtf8InsteadOfReplacingIt() {
        byte[] body = "{\"source\":\"erp?\",\"entityType\":\"a\",\"entityId\":\"1\",\"messageName\":\"Create\"}"
                .getBytes(StandardCharsets.UTF_8);
        body[14] = (byte) 0xC3; // a lead byte followed by '"': not UTF-8

        HttpResponse<String> response = gateway.post("/v1/events", body, "application/json");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("not valid UTF-8");
    }

    /**
     * A body declared over the size limit is refused before a byte of it is read: the client has
     * sent only its headers (as one that sent {@code Expect: 100-continue} would, as curl does for
     * a large body), and reads a 413 problem.
     */
    @ParameterizedTest
    @ValueSource(strings = {"", "Expect: 100-continue\r\n"})
    void shouldAnswerABodyDeclaredOverTheSizeLimitWith413BeforeReadingIt(String expect) throws IOException {
        URI base = URI.create(gateway.base());
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(60_000); // a guard for a broken server, never reached when it works
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/events HTTP/1.1\r\nHost: " + base.getHost() + "\r\n" + expect
                            + "Content-Type: application/json\r\nContent-Length: 5000000\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();

            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(answer).startsWith("HTTP/1.1 413 ");
            assertThat(answer).containsIgnoringCase("Content-Type: application/problem+json");
            assertThat(answer).contains("the request body is 5000000 bytes; at most 1000000 are accepted");
        }
    }

    /** Inputs that once made the gateway answer 500. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "/v1/definitions|{\"id\":\"d\",\"name\":\"d\",\"trigger\":{\"messageName\":\"Create\"},\"steps\":[{\"name\":\"s\",\"kind\":\"send-message\",\"messageName\":\"M\"}]}",
                "/v1/events|{\"source\":\"erp\",\"entityType\":\"a\",\"entityId\":\"1\",\"messageName\":\"Create\",\"occurredAt\":\"+999999999-12-31T23:59:59Z\"}",
                "/v1/events|{\"source\":\"erp\",\"entityType\":\"a\",\"entityId\":\"1\",\"messageName\":\"Create\",\"occurredAt\":\"-999999999-01-01T00:00:00Z\"}"
            })
    void shouldAnswerTheOnceFatalInputsWith4xx(String pathAndBody) {
        String[] parts = pathAndBody.split("\\|", 2);

        HttpResponse<String> response = post(parts[0], parts[1]);

        assertThat(response.statusCode()).as(response.body()).isBetween(400, 499);
        assertProblem(response);
    }

    private static HttpResponse<String> post(String path, String body) {
        return gateway.post(path, body.getBytes(StandardCharsets.UTF_8), "application/json");
    }

    private static void assertProblem(HttpResponse<String> response) {
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
    }
}
