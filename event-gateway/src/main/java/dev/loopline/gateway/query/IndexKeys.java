package dev.loopline.gateway.query;

import dev.loopline.api.internal.InstanceSummary;
import dev.loopline.api.store.StoreKeys;
import dev.loopline.api.v1.WorkItem;
import java.util.ArrayList;
import java.util.List;

/**
 * The key layout of the query side's secondary indexes (store "query-index") and counts (store
 * "query-counts"). Parts are joined by U+001F ({@link StoreKeys}). Every index entry ends with the
 * instance's <em>sort key</em>, {@code <newest>␟<instance id>}, where {@code <newest>} is its
 * creation time counted down from the end of time ({@link StoreKeys#newestFirst}): a range scan of
 * one head returns the newest instances first, and, for one creation time, ids in order. A list's
 * cursor is the last sort key it returned, whichever index answered it.
 *
 * <table>
 *   <caption>Index entries (value: the instance id)</caption>
 *   <tr><th>filter</th><th>key</th></tr>
 *   <tr><td>none (every instance)</td><td>{@code t␟<sort key>}</td></tr>
 *   <tr><td>definition</td><td>{@code d␟<definition id>␟<sort key>}</td></tr>
 *   <tr><td>definition and version</td><td>{@code v␟<definition id>␟<version, 10 digits>␟<sort key>}</td></tr>
 *   <tr><td>state</td><td>{@code s␟<state>␟<sort key>}</td></tr>
 *   <tr><td>status code (which implies the state)</td><td>{@code c␟<status code, 3 digits>␟<sort key>}</td></tr>
 *   <tr><td>entity id</td><td>{@code e␟<entity id>␟<sort key>}, when the instance has one</td></tr>
 *   <tr><td>error code</td><td>{@code x␟<error code>␟<sort key>}, while the instance has one</td></tr>
 *   <tr><td>what it waits for</td><td>{@code w␟<message:name, event:name or timer>␟<sort key>}, one per
 *       thing, while it waits</td></tr>
 *   <tr><td>an assignee of its open work items</td><td>{@code a␟<assignee>␟<sort key>}, one per
 *       assignee, while the items are open</td></tr>
 *   <tr><td>the parent that started it</td><td>{@code p␟<parent instance id>␟<sort key>}</td></tr>
 * </table>
 *
 * Counts: {@code <definition id>␟<state>␟<status code, 3 digits>} → the number of this partition's
 * instances there; a query sums them over partitions.
 */
public final class IndexKeys {

    public static final String CREATED = "t";
    public static final String DEFINITION = "d";
    public static final String VERSION = "v";
    public static final String STATE = "s";
    public static final String STATUS = "c";
    public static final String ENTITY = "e";
    public static final String ERROR = "x";
    public static final String WAITING = "w";
    public static final String ASSIGNEE = "a";
    public static final String PARENT = "p";

    private IndexKeys() {}

    /** Every index entry of one instance. */
    public static List<String> of(InstanceSummary s) {
        String sort = sortKey(s);
        List<String> keys = new ArrayList<>(8);
        keys.add(StoreKeys.join(CREATED, sort));
        keys.add(StoreKeys.join(DEFINITION, s.getDefinitionId(), sort));
        keys.add(StoreKeys.join(VERSION, s.getDefinitionId(), version(s.getDefinitionVersion()), sort));
        keys.add(StoreKeys.join(STATE, s.getState().name(), sort));
        keys.add(StoreKeys.join(STATUS, status(s.getStatusCode()), sort));
        if (s.getEntityId() != null) {
            keys.add(StoreKeys.join(ENTITY, s.getEntityId(), sort));
        }
        if (s.getErrorCode() != null) {
            keys.add(StoreKeys.join(ERROR, s.getErrorCode(), sort));
        }
        for (String awaited : s.getWaitingFor()) {
            keys.add(StoreKeys.join(WAITING, awaited, sort));
        }
        s.getWorkItems().stream()
                .map(WorkItem::getAssignee)
                .distinct()
                .forEach(assignee -> keys.add(StoreKeys.join(ASSIGNEE, assignee, sort)));
        if (s.getParentInstanceId() != null) {
            keys.add(StoreKeys.join(PARENT, s.getParentInstanceId(), sort));
        }
        return keys;
    }

    /** Where the instance sorts in every list: newest first, then by id. */
    public static String sortKey(InstanceSummary s) {
        return StoreKeys.join(StoreKeys.newestFirst(s.getCreatedAt()), s.getInstanceId());
    }

    /** The instance's key in the counts. */
    public static String count(InstanceSummary s) {
        return StoreKeys.join(s.getDefinitionId(), s.getState().name(), status(s.getStatusCode()));
    }

    /** The parts of a count key: definition, state, status code. */
    public static String[] countParts(String countKey) {
        return countKey.split(String.valueOf(StoreKeys.SEPARATOR), 3);
    }

    static String version(int version) {
        return StoreKeys.digits(version, 10);
    }

    static String status(int statusCode) {
        return StoreKeys.digits(statusCode, 3);
    }
}
