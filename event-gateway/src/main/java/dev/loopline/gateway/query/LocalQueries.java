package dev.loopline.gateway.query;

import dev.loopline.api.internal.InstanceSummary;
import dev.loopline.api.store.StoreKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Lists and counts over the partitions this process serves. A list reads one index head per
 * partition ({@link InstanceFilter#head}), from the cursor on, checks the rest of the filter
 * against each instance's summary, and stops at the limit or after {@link #MAX_SCAN} index
 * entries; the partitions' pages merge as {@link PartialPage#merge} says.
 */
public final class LocalQueries {

    /** Index entries one partition reads for one page at most: the bound on a rare filter's cost. */
    public static final int MAX_SCAN = 2_000;

    private final QueryStores stores;

    public LocalQueries(QueryStores stores) {
        this.stores = stores;
    }

    /** Up to {@code limit} matching instances after the sort key {@code after} (null: from the newest). */
    public PartialPage<InstanceSummary> page(InstanceFilter filter, String after, int limit) {
        List<PartialPage<InstanceSummary>> pages = new ArrayList<>();
        for (int partition : stores.partitions()) {
            try {
                pages.add(page(partition, filter, after, limit));
            } catch (QueryStores.Unavailable e) {
                // left out: the answer says which partitions it covers
            }
        }
        return PartialPage.merge(pages, limit);
    }

    private PartialPage<InstanceSummary> page(int partition, InstanceFilter filter, String after, int limit) {
        String head = StoreKeys.prefix(filter.head(stores.counts(partition)));
        String[] range = filter.sortRange();
        String lower = after != null && after.compareTo(range[0]) >= 0 ? after + '\0' : range[0];
        if (lower.compareTo(range[1]) >= 0) {
            return new PartialPage<>(List.of(), null, Set.of(partition)); // an empty time range, or past its end
        }
        List<PartialPage.Item<InstanceSummary>> items = new ArrayList<>();
        String boundary = null;
        int scanned = 0;
        try (QueryStores.Scan scan = stores.index(partition, head + lower, head + range[1])) {
            while (scan.hasNext()) {
                Map.Entry<String, String> entry = scan.next();
                String sortKey = entry.getKey().substring(head.length());
                scanned++;
                stores.summary(partition, entry.getValue())
                        .filter(filter::matches)
                        .ifPresent(summary -> items.add(new PartialPage.Item<>(sortKey, summary)));
                if (items.size() == limit || scanned == MAX_SCAN) {
                    boundary = scan.hasNext() ? sortKey : null;
                    break;
                }
            }
        }
        return new PartialPage<>(items, boundary, Set.of(partition));
    }

    /** The counts of the partitions served here, summed, and which partitions they are. */
    public Counts counts() {
        Map<String, Long> sums = new TreeMap<>();
        Set<Integer> answered = new TreeSet<>();
        for (int partition : stores.partitions()) {
            try {
                stores.counts(partition).forEach((key, count) -> sums.merge(key, count, Long::sum));
                answered.add(partition);
            } catch (QueryStores.Unavailable e) {
                // left out, as above
            }
        }
        return new Counts(sums, answered);
    }

    /** Counts ({@link IndexKeys#count} → number) over some partitions. */
    public record Counts(Map<String, Long> counts, Set<Integer> partitions) {}
}
