package dev.loopline.api.serde;

import java.util.Map;
import java.util.ServiceLoader;
import org.apache.avro.Schema;

/**
 * The part of the Confluent Schema Registry REST API that a serde needs. Implementations cache:
 * ids and schemas never change once assigned.
 */
public interface SchemaRegistryClient {

    /** Registers the schema under the subject (idempotent) and returns its id. */
    int register(String subject, Schema schema);

    /** The id of a schema already registered under the subject; fails if it is not registered. */
    int idOf(String subject, Schema schema);

    /** The schema with this id. */
    Schema schemaById(int id);

    /**
     * A client for the registry at {@code url}: {@code http(s)://host:port/path} for a registry
     * speaking the Confluent REST API. Other schemes come from a {@link Provider} on the class path,
     * found with {@link ServiceLoader}: the tests' in-memory registry ({@code mock://scope}) is one,
     * and ships in the tests' jar only.
     */
    static SchemaRegistryClient forUrl(String url, Map<String, ?> config) {
        if (url.startsWith("http://") || url.startsWith("https://")) {
            return RestSchemaRegistryClient.shared(url);
        }
        for (Provider provider : ServiceLoader.load(Provider.class)) {
            if (provider.accepts(url)) {
                return provider.open(url, config);
            }
        }
        throw new IllegalArgumentException(
                "schema.registry.url must be an http(s) URL of a registry speaking the Confluent REST API: " + url);
    }

    /** Opens clients for a scheme other than http(s); registered as a {@link ServiceLoader} service. */
    interface Provider {

        boolean accepts(String url);

        SchemaRegistryClient open(String url, Map<String, ?> config);
    }
}
