package dev.loopline.api.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * API keys, read once at start from a JSON file that holds only their SHA-256 hashes, so that the
 * file (and a leak of it) never reveals a usable key. A key is a high-entropy random string (see
 * {@link #newKey()}), so one unsalted SHA-256 is enough: there is no dictionary to try.
 *
 * <pre>
 * [
 *   {"principal": "erp-bridge", "sha256": "9f86d0…", "roles": ["publisher"],
 *    "sources": ["erp"], "entityTypes": ["expense_report"]},
 *   {"principal": "ops-console", "sha256": "60303a…", "roles": ["operator", "reader"]}
 * ]
 * </pre>
 *
 * {@code sources} and {@code entityTypes} are optional and limit a publisher; absent or empty means
 * any. A presented key is hashed and compared with every entry in constant time, without stopping
 * at the first match, so the answer's timing says nothing about which hash came close.
 */
public final class ApiKeyStore {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FIELDS = Set.of("principal", "sha256", "roles", "sources", "entityTypes");
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Entry(byte[] hash, Principal principal) {}

    private final List<Entry> entries;

    private ApiKeyStore(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** Reads and checks the whole file; any bad entry stops the process with its position and reason. */
    public static ApiKeyStore load(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the API keys file " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isArray()) {
            throw new IllegalStateException("the API keys file " + file + " must hold a JSON array of entries");
        }
        List<Entry> entries = new ArrayList<>();
        Set<String> hashes = new LinkedHashSet<>();
        for (int i = 0; i < root.size(); i++) {
            String where = file + "[" + i + "]";
            Entry entry = entry(root.get(i), where);
            if (!hashes.add(HexFormat.of().formatHex(entry.hash()))) {
                throw new IllegalStateException(where + ": the same key hash appears twice");
            }
            entries.add(entry);
        }
        return new ApiKeyStore(entries);
    }

    /** The principal whose key this is, if any. */
    public Optional<Principal> authenticate(String presentedKey) {
        byte[] presented = sha256(presentedKey);
        Principal found = null;
        for (Entry entry : entries) {
            if (MessageDigest.isEqual(entry.hash(), presented) && found == null) {
                found = entry.principal();
            }
        }
        return Optional.ofNullable(found);
    }

    public int size() {
        return entries.size();
    }

    /** A new random key: 32 bytes from {@link SecureRandom}, URL-safe Base64, prefixed {@code llk_}. */
    public static String newKey() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return "llk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The hex SHA-256 of a key, as the keys file stores it. */
    public static String hash(String key) {
        return HexFormat.of().formatHex(sha256(key));
    }

    /** One keys-file entry (a JSON object) for a key, without publisher limits. */
    public static String entry(String key, String principal, Set<Role> roles) {
        var node = JSON.createObjectNode().put("principal", principal).put("sha256", hash(key));
        var names = node.putArray("roles");
        roles.stream().sorted().map(Role::id).forEach(names::add);
        return node.toString();
    }

    private static Entry entry(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw new IllegalStateException(where + ": expected an object");
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw new IllegalStateException(where + ": unknown field " + name + " (expected " + FIELDS + ")");
            }
        }
        String principal = node.path("principal").asText("").trim();
        if (principal.isEmpty()) {
            throw new IllegalStateException(where + ": principal is required");
        }
        String hex = node.path("sha256").asText("").trim().toLowerCase(Locale.ROOT);
        if (!hex.matches("[0-9a-f]{64}")) {
            throw new IllegalStateException(where + ": sha256 must be 64 hex digits, the SHA-256 of the key");
        }
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String name : strings(node, "roles", where)) {
            roles.add(Role.parse(name)
                    .orElseThrow(() -> new IllegalStateException(where + ": unknown role " + name + " (expected "
                            + java.util.Arrays.stream(Role.values())
                                    .map(Role::id)
                                    .toList() + ")")));
        }
        if (roles.isEmpty()) {
            throw new IllegalStateException(where + ": roles must name at least one role");
        }
        return new Entry(
                HexFormat.of().parseHex(hex),
                new Principal(principal, roles, strings(node, "sources", where), strings(node, "entityTypes", where)));
    }

    private static Set<String> strings(JsonNode node, String field, String where) {
        JsonNode values = node.get(field);
        if (values == null || values.isNull()) {
            return Set.of();
        }
        if (!values.isArray()) {
            throw new IllegalStateException(where + ": " + field + " must be an array of strings");
        }
        Set<String> result = new LinkedHashSet<>();
        for (JsonNode value : values) {
            if (!value.isTextual() || value.asText().isBlank()) {
                throw new IllegalStateException(where + ": " + field + " must be an array of non-empty strings");
            }
            result.add(value.asText());
        }
        return result;
    }

    private static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Prints a new key and its keys-file entry: {@code java -cp … dev.loopline.api.security.ApiKeyStore
     * <principal> <role>…}. Give the key to the caller and the entry to the keys file.
     */
    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println(
                    "usage: ApiKeyStore <principal> <role>… (roles: publisher administrator operator reader)");
            System.exit(2);
        }
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (int i = 1; i < args.length; i++) {
            String name = args[i];
            roles.add(Role.parse(name).orElseThrow(() -> new IllegalArgumentException("unknown role " + name)));
        }
        String key = newKey();
        System.out.println("key:   " + key);
        System.out.println("entry: " + entry(key, args[0], roles));
    }
}
