package dev.loopline.api.serde;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * An in-memory registry for unit tests ({@code TopologyTestDriver}), selected with a {@code mock://scope}
 * URL as in Confluent's serde: every client of one scope shares it. It lives in the tests' jar and is
 * found through {@link SchemaRegistryClient.Provider}; integration tests and the demo use a real
 * registry.
 */
public final class MockSchemaRegistry implements SchemaRegistryClient {

    static final String SCHEME = "mock://";

    /** The {@code mock://} scheme, for {@link SchemaRegistryClient#forUrl}. */
    public static final class Provider implements SchemaRegistryClient.Provider {

        @Override
        public boolean accepts(String url) {
            return url.startsWith(SCHEME);
        }

        @Override
        public SchemaRegistryClient open(String url, Map<String, ?> config) {
            return scope(url.substring(SCHEME.length()));
        }
    }

    private static final Map<String, MockSchemaRegistry> SCOPES = new ConcurrentHashMap<>();

    private final List<Schema> schemas = new ArrayList<>();
    private final Map<String, Integer> ids = new ConcurrentHashMap<>();

    public static MockSchemaRegistry scope(String name) {
        return SCOPES.computeIfAbsent(name, n -> new MockSchemaRegistry());
    }

    public static void drop(String name) {
        SCOPES.remove(name);
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        int existing = idOfContent(schema);
        int id = existing >= 0 ? existing : add(schema);
        ids.put(subject + '\u0000' + schema, id);
        return id;
    }

    @Override
    public synchronized int idOf(String subject, Schema schema) {
        Integer id = ids.get(subject + '\u0000' + schema);
        if (id == null) {
            throw new SchemaRegistryException("schema not registered under subject " + subject, 40403);
        }
        return id;
    }

    @Override
    public synchronized Schema schemaById(int id) {
        if (id < 1 || id > schemas.size()) {
            throw new SchemaRegistryException("schema " + id + " not found", 40403);
        }
        return schemas.get(id - 1);
    }

    private int idOfContent(Schema schema) {
        int index = schemas.indexOf(schema);
        return index < 0 ? -1 : index + 1;
    }

    private int add(Schema schema) {
        schemas.add(schema);
        return schemas.size();
    }
}
