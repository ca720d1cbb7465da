package dev.loopline.gateway.query;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A page of a list from some partitions, and how far they were read. Lists are newest first:
 * ascending sort keys ({@link IndexKeys#sortKey}).
 *
 * <p>{@code boundary} is the last sort key the partitions answered for, or null when they were
 * read to the end. A partition stops at the page's limit or after a bounded number of index
 * entries, so a filter that matches rarely answers in bounded time with fewer items and a cursor
 * to go on from. Pages of different partitions merge ({@link #merge}) into one that holds only
 * items up to the earliest boundary: an item past it could come before one that a partition has
 * not read yet. So the next page, which starts after the merged boundary, neither skips nor
 * repeats an instance, whichever processes answer it.
 *
 * @param items at most the limit, in sort-key order
 * @param boundary as above, or null
 * @param partitions the partitions that answered
 */
public record PartialPage<T>(List<Item<T>> items, String boundary, Set<Integer> partitions) {

    public record Item<T>(String sortKey, T value) {}

    /** The pages of disjoint partitions as one page of at most {@code limit} items. */
    public static <T> PartialPage<T> merge(Collection<PartialPage<T>> pages, int limit) {
        String boundary = null;
        Set<Integer> partitions = new TreeSet<>();
        List<Item<T>> all = new ArrayList<>();
        for (PartialPage<T> page : pages) {
            if (page.boundary() != null && (boundary == null || page.boundary().compareTo(boundary) < 0)) {
                boundary = page.boundary();
            }
            partitions.addAll(page.partitions());
            all.addAll(page.items());
        }
        all.sort(Comparator.comparing(Item::sortKey));
        List<Item<T>> items = new ArrayList<>(Math.min(limit, all.size()));
        for (Item<T> item : all) {
            if (items.size() == limit || (boundary != null && item.sortKey().compareTo(boundary) > 0)) {
                break;
            }
            items.add(item);
        }
        boolean cut = items.size() == limit && all.size() > limit;
        String next = cut ? items.get(items.size() - 1).sortKey() : boundary;
        return new PartialPage<>(List.copyOf(items), next, Set.copyOf(partitions));
    }
}
