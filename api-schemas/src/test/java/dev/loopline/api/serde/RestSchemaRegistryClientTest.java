package dev.loopline.api.serde;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.loopline.api.v1.Acknowledgement;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RestSchemaRegistryClientTest {

    /** Two processes registering a new subject at once: Apicurio answers the loser 409. */
    @Test
    void shouldRetryARegistrationThatLostAConcurrentCreate() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/apis/ccompat/v7/subjects/", exchange -> {
            boolean first = calls.incrementAndGet() == 1;
            byte[] body = (first
                            ? "{\"error_code\":409,\"message\":\"An artifact with ID 'acks-value' already exists.\"}"
                            : "{\"id\":7}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(first ? 409 : 200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            var client = new RestSchemaRegistryClient(
                    "http://127.0.0.1:" + server.getAddress().getPort() + "/apis/ccompat/v7");

            int id = client.register("acks-value", Acknowledgement.getClassSchema());

            assertThat(id).isEqualTo(7);
            assertThat(calls.get()).isEqualTo(2);
        } finally {
            server.stop(0);
        }
    }
}
