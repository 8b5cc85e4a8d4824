package io.starling.broker.auth.dynsec;

import java.util.Comparator;
import java.util.List;

/**
 * Lists the plugin keeps in priority order, highest first; equal priorities keep the order they were
 * added in (the plugin's stable merge sort). A link without a priority has -1, and is written without one.
 */
final class Ranked {
    /** The priority of a role or group link that was given none. */
    static final int NONE = -1;

    private Ranked() {
    }

    static <T> void insert(List<T> list, T item, Comparator<T> byPriorityDescending) {
        list.add(item);
        list.sort(byPriorityDescending); // List.sort is stable
    }
}
