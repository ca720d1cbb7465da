package dev.loopline.gateway.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.internal.InstanceSummary;
import dev.loopline.api.v1.InstanceState;
import dev.loopline.api.v1.InstanceTransition;
import dev.loopline.api.v1.WorkItem;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Lists and counts over the query stores, against a brute-force answer over every summary: a
 * list paged through to its end returns exactly the matching instances, newest first, each once,
 * whatever the filter, the page size and the partition that holds each instance.
 */
class LocalQueriesTest {

    private static final Instant T0 = Instant.parse("2026-12-01T08:00:00Z");
    private static final InstanceState[] STATES = {
        InstanceState.READY, InstanceState.SUSPENDED, InstanceState.LOCKED, InstanceState.COMPLETED
    };
    private static final int[] STATUS = {0, 10, 20, 30};

    @Property(tries = 60)
    void shouldPageThroughExactlyTheMatchingInstancesNewestFirst(
            @ForAll("filters") InstanceFilter filter,
            @ForAll @IntRange(min = 1, max = 120) int limit,
            @ForAll @IntRange(min = 0, max = 10_000) int seed) {
        MemoryQueryStores stores = new MemoryQueryStores(6);
        Map<String, InstanceSummary> all = fill(stores, 400, seed);

        List<String> paged = pageThrough(new LocalQueries(stores), filter, limit);

        List<String> expected = all.values().stream()
                .filter(filter::matches)
                .sorted(Comparator.comparing(IndexKeys::sortKey))
                .map(InstanceSummary::getInstanceId)
                .toList();
        assertThat(paged).isEqualTo(expected);
    }

    @Test
    void shouldAnswerARareFilterInBoundedSlicesAndStillFindEveryMatch() {
        MemoryQueryStores stores = new MemoryQueryStores(2);
        int n = LocalQueries.MAX_SCAN * 3;
        for (int i = 0; i < n; i++) {
            // every 1,000th instance is suspended: the state index is small, so filter on a rarer mix
            stores.apply(transition("i-" + i, 1, i % 1000 == 0 ? 1 : 0, T0.plusMillis(i), "orders", 1, null));
        }
        InstanceFilter rare =
                new InstanceFilter(null, null, null, null, "nobody", null, null, null, null, null, null, null);
        LocalQueries queries = new LocalQueries(stores);

        PartialPage<InstanceSummary> first = queries.page(rare, null, 100);

        assertThat(first.items()).isEmpty();
        assertThat(first.boundary())
                .as("a page that stopped at the scan bound says where")
                .isNotNull();
        assertThat(pageThrough(queries, rare, 100)).isEmpty();
        InstanceFilter suspended = new InstanceFilter(
                "orders", null, InstanceState.SUSPENDED, null, null, null, null, null, null, null, null, null);
        assertThat(pageThrough(queries, suspended, 2)).hasSize(n / 1000);
    }

    @Test
    void shouldCountOnlyThePartitionsItServesAndSayWhichTheyAre() {
        MemoryQueryStores stores = new MemoryQueryStores(3);
        fill(stores, 90, 7);
        LocalQueries queries = new LocalQueries(stores);
        long total = queries.counts().counts().values().stream()
                .mapToLong(Long::longValue)
                .sum();
        assertThat(total).isEqualTo(90);
        assertThat(queries.counts().partitions()).containsExactlyInAnyOrder(0, 1, 2);

        stores.drop(1);

        LocalQueries.Counts without = queries.counts();
        assertThat(without.partitions()).containsExactlyInAnyOrder(0, 2);
        assertThat(without.counts().values().stream().mapToLong(Long::longValue).sum())
                .isLessThan(90);
        assertThat(queries.page(InstanceFilter.ALL, null, 500).partitions()).containsExactlyInAnyOrder(0, 2);
    }

    @Test
    void shouldKeepAnInstanceCreatedWithinASubMillisecondEnd() {
        MemoryQueryStores stores = new MemoryQueryStores(1);
        stores.apply(transition("i-1", 1, 0, T0, "orders", 1, null));
        InstanceFilter before = new InstanceFilter(
                null, null, null, null, null, null, null, null, T0, T0.plusNanos(500_000), null, null);

        assertThat(pageThrough(new LocalQueries(stores), before, 10)).containsExactly("i-1");
    }

    @Test
    void shouldChooseTheIndexTheCountsSayIsSmallest() {
        Map<String, Long> counts = new TreeMap<>(Map.of(
                "orders\u001fCOMPLETED\u001f030", 1_000_000L,
                "orders\u001fSUSPENDED\u001f010", 3L,
                "refunds\u001fSUSPENDED\u001f010", 5L));
        InstanceFilter suspendedOrders = new InstanceFilter(
                "orders", null, InstanceState.SUSPENDED, null, null, null, null, null, null, null, null, null);
        InstanceFilter completedRefunds =
                new InstanceFilter("refunds", null, null, 30, null, null, null, null, null, null, null, null);

        assertThat(suspendedOrders.head(counts)).isEqualTo("s\u001fSUSPENDED");
        assertThat(completedRefunds.head(counts)).isEqualTo("d\u001frefunds");
        assertThat(InstanceFilter.ALL.head(counts)).isEqualTo("t");
        assertThat(new InstanceFilter("orders", null, null, null, null, "o-1", null, null, null, null, "ann", null)
                        .head(counts))
                .isEqualTo("a\u001fann");
        assertThat(new InstanceFilter(null, null, null, null, null, null, null, null, null, null, null, "p-1")
                        .head(counts))
                .isEqualTo("p\u001fp-1");
    }

    private static List<String> pageThrough(LocalQueries queries, InstanceFilter filter, int limit) {
        List<String> ids = new ArrayList<>();
        String after = null;
        int pages = 0;
        do {
            PartialPage<InstanceSummary> page = queries.page(filter, after, limit);
            assertThat(page.items()).hasSizeLessThanOrEqualTo(limit);
            page.items().forEach(item -> ids.add(item.value().getInstanceId()));
            after = page.boundary();
            assertThat(++pages).as("pages").isLessThan(10_000);
        } while (after != null);
        return ids;
    }

    /** Instances with a few transitions each, spread over definitions, versions, states, entities and errors. */
    private static Map<String, InstanceSummary> fill(MemoryQueryStores stores, int instances, int seed) {
        Random random = new Random(seed);
        for (int i = 0; i < instances; i++) {
            String id = "i-" + Integer.toString(random.nextInt(1 << 20), 36) + "-" + i;
            Instant created = T0.plusSeconds(random.nextInt(50)); // many share a creation time
            String definition = random.nextBoolean() ? "orders" : "refunds";
            int version = 1 + random.nextInt(2);
            int steps = 1 + random.nextInt(3);
            for (int s = 1; s <= steps; s++) {
                int place = s == 1 ? 0 : random.nextInt(STATES.length);
                String error = place == 1 && random.nextBoolean() ? "HandlerTimeout" : null;
                stores.apply(transition(id, s, place, created.plusMillis(s - 1L), definition, version, error));
            }
        }
        Map<String, InstanceSummary> all = new TreeMap<>();
        for (int p : stores.partitions()) {
            try (QueryStores.Scan scan = stores.index(p, "t\u001f", "t\u0020")) {
                scan.forEachRemaining(e ->
                        all.put(e.getValue(), stores.summary(p, e.getValue()).orElseThrow()));
            }
        }
        assertThat(all).hasSize(instances);
        return all;
    }

    private static InstanceTransition transition(
            String id, int sequence, int place, Instant at, String definition, int version, String error) {
        return InstanceTransition.newBuilder()
                .setInstanceId(id)
                .setDefinitionId(definition)
                .setDefinitionVersion(version)
                .setSequence(sequence)
                .setState(STATES[place])
                .setStatusCode(STATUS[place])
                .setTimestamp(at)
                .setErrorCode(error)
                .setWaitingFor(
                        STATES[place] == InstanceState.SUSPENDED
                                ? List.of(error == null ? "event:Approved" : "timer")
                                : List.of())
                .setEntityType("order")
                .setEntityId("o-" + (id.hashCode() & 7))
                .setParentInstanceId((id.hashCode() & 3) == 0 ? null : "p-" + (id.hashCode() & 3))
                .setWorkItems(
                        STATES[place] == InstanceState.SUSPENDED && error == null ? workItems(id, sequence) : List.of())
                .build();
    }

    /** One or two open work items of an approval, for ann, ben or both (some instances' assignees change). */
    private static List<WorkItem> workItems(String id, int sequence) {
        List<WorkItem> items = new ArrayList<>();
        int who = (id.hashCode() + sequence) & 3;
        if (who != 1) {
            items.add(workItem(id, "ann"));
        }
        if (who != 0) {
            items.add(workItem(id, who == 3 ? "ann" : "ben"));
        }
        return items;
    }

    private static WorkItem workItem(String id, String assignee) {
        return WorkItem.newBuilder()
                .setId(id + "-task-" + assignee)
                .setAssignee(assignee)
                .setStep("approve")
                .build();
    }

    @Provide
    Arbitrary<InstanceFilter> filters() {
        Arbitrary<String> definition = Arbitraries.of("orders", "refunds").injectNull(0.5);
        Arbitrary<Integer> version = Arbitraries.of(1, 2).injectNull(0.7);
        Arbitrary<InstanceState> state = Arbitraries.of(STATES).injectNull(0.6);
        Arbitrary<Integer> status = Arbitraries.of(0, 10, 20, 30).injectNull(0.7);
        Arbitrary<String> entity = Arbitraries.of("o-1", "o-3").injectNull(0.7);
        Arbitrary<String> error = Arbitraries.just("HandlerTimeout").injectNull(0.8);
        Arbitrary<String> waiting = Arbitraries.of("event:Approved", "timer").injectNull(0.7);
        Arbitrary<Instant> from =
                Arbitraries.integers().between(0, 50).map(T0::plusSeconds).injectNull(0.6);
        Arbitrary<Instant> to =
                Arbitraries.integers().between(0, 50).map(T0::plusSeconds).injectNull(0.6);
        Arbitrary<String> assignee = Arbitraries.of("ann", "ben").injectNull(0.7);
        Arbitrary<String> parent = Arbitraries.of("p-1", "p-2").injectNull(0.7);
        return Combinators.combine(definition, version, state, status, entity, error, waiting, from)
                .flatAs((d, v, s, c, e, x, w, f) -> Combinators.combine(to, assignee, parent)
                        .as((t, a, p) -> new InstanceFilter(d, d == null ? null : v, s, c, null, e, x, w, f, t, a, p)));
    }
}
