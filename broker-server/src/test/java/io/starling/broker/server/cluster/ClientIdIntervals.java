package io.starling.broker.server.cluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The checker that no two connections ever held one client id at once (issue 17, point 9): every
 * client of a test logs when its connection is up and down, on one clock (the test's
 * {@link System#nanoTime}), and {@link #overlaps} lists the pairs of intervals of one id that overlap.
 *
 * <p>What "up" means, as the clients can see it: from the moment the client has the CONNACK (accepted)
 * to the moment it has closed the connection itself or has seen it closed. The broker's own interval
 * starts one trip earlier (it sends the CONNACK) and ends one trip earlier (it closes first); the
 * client's end is late, so a close by the broker can only make an overlap look longer, never hide one;
 * the client's start is late by one trip of the CONNACK, so an overlap shorter than that trip (well
 * under a millisecond on the test's bridge) could go unseen.
 */
final class ClientIdIntervals {
    /** One connection: {@code down} is {@link Long#MAX_VALUE} while it is up. */
    record Interval(String clientId, String node, long up, long down) {
        boolean overlaps(Interval other) {
            return up < other.down && other.up < down;
        }
    }

    private final List<Interval> closed = new ArrayList<>();
    private final Map<Long, Interval> open = new TreeMap<>();
    private long next;

    /** The connection's CONNACK arrived now; answers a handle for {@link #down}. */
    synchronized long up(String clientId, String node) {
        long handle = next++;
        open.put(handle, new Interval(clientId, node, System.nanoTime(), Long.MAX_VALUE));
        return handle;
    }

    /** The connection is closed (by the client, or seen closed); a second call changes nothing. */
    synchronized void down(long handle) {
        Interval interval = open.remove(handle);
        if (interval != null) {
            closed.add(new Interval(interval.clientId(), interval.node(), interval.up(), System.nanoTime()));
        }
    }

    /** Every pair of intervals of one client id that overlap, open ones included, as text. */
    synchronized List<String> overlaps() {
        List<Interval> all = new ArrayList<>(closed);
        all.addAll(open.values());
        all.sort(Comparator.comparing(Interval::clientId).thenComparingLong(Interval::up));
        List<String> found = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            for (int j = i + 1; j < all.size() && all.get(j).clientId().equals(all.get(i).clientId()); j++) {
                if (all.get(i).overlaps(all.get(j))) {
                    found.add(all.get(i) + " overlaps " + all.get(j));
                }
            }
        }
        return found;
    }

    synchronized int size() {
        return closed.size() + open.size();
    }
}
