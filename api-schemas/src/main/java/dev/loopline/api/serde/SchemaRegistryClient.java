package dev.loopline.api.serde;

import java.util.Map;
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
     * A client for the registry at {@code url}: {@code http(s)://host:port/path} for a real registry
     * speaking the Confluent REST API, or {@code mock://scope} for an in-memory registry shared by
     * every client of the same scope (unit tests only, as in Confluent's serde).
     */
    static SchemaRegistryClient forUrl(String url, Map<String, ?> config) {
        if (url.startsWith(MockSchemaRegistry.SCHEME)) {
            return MockSchemaRegistry.scope(url.substring(MockSchemaRegistry.SCHEME.length()));
        }
        return RestSchemaRegistryClient.shared(url);
    }
}
