package dev.loopline.gateway.query;

import dev.loopline.api.internal.InstanceSummary;
import dev.loopline.api.store.StoreKeys;
import java.util.ArrayList;
import java.util.List;

/**
 * The key layout of the query side's secondary indexes (store "query-index") and counts (store
 * "query-counts"). Parts are joined by U+001F ({@link StoreKeys}); {@code <newest>} is the
 * instance's creation time counted down from the end of time ({@link StoreKeys#newestFirst}), so
 * that a prefix scan returns the newest instances first and, for one creation time, ids in order.
 *
 * <table>
 *   <caption>Index entries (value: the instance id)</caption>
 *   <tr><th>filter</th><th>key</th></tr>
 *   <tr><td>definition and version</td><td>{@code d␟<definition id>␟<version, 10 digits>␟<newest>␟<instance id>}</td></tr>
 *   <tr><td>state and status</td><td>{@code s␟<state>␟<status code, 3 digits>␟<newest>␟<instance id>}</td></tr>
 *   <tr><td>entity</td><td>{@code e␟<entity type>␟<entity id>␟<newest>␟<instance id>}, when the instance has one</td></tr>
 *   <tr><td>error code</td><td>{@code x␟<error code>␟<newest>␟<instance id>}, while the instance has one</td></tr>
 *   <tr><td>creation time</td><td>{@code t␟<newest>␟<instance id>}</td></tr>
 * </table>
 *
 * Counts: {@code <definition id>␟<state>␟<status code, 3 digits>} → the number of this partition's
 * instances there; the query sums them over partitions.
 */
public final class IndexKeys {

    public static final String DEFINITION = "d";
    public static final String STATE = "s";
    public static final String ENTITY = "e";
    public static final String ERROR = "x";
    public static final String CREATED = "t";

    private IndexKeys() {}

    /** Every index entry of one instance. */
    public static List<String> of(InstanceSummary s) {
        String newest = StoreKeys.newestFirst(s.getCreatedAt());
        String id = s.getInstanceId();
        List<String> keys = new ArrayList<>(5);
        keys.add(StoreKeys.join(DEFINITION, s.getDefinitionId(), version(s.getDefinitionVersion()), newest, id));
        keys.add(StoreKeys.join(STATE, s.getState().name(), status(s.getStatusCode()), newest, id));
        if (s.getEntityType() != null && s.getEntityId() != null) {
            keys.add(StoreKeys.join(ENTITY, s.getEntityType(), s.getEntityId(), newest, id));
        }
        if (s.getErrorCode() != null) {
            keys.add(StoreKeys.join(ERROR, s.getErrorCode(), newest, id));
        }
        keys.add(StoreKeys.join(CREATED, newest, id));
        return keys;
    }

    /** The instance's key in the counts. */
    public static String count(InstanceSummary s) {
        return StoreKeys.join(s.getDefinitionId(), s.getState().name(), status(s.getStatusCode()));
    }

    private static String version(int version) {
        return StoreKeys.digits(version, 10);
    }

    private static String status(int statusCode) {
        return StoreKeys.digits(statusCode, 3);
    }
}
