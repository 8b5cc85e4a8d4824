package io.starling.broker.cluster.routes;

import io.starling.broker.cluster.NodeId;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Route announcements from nodes not (yet) in this node's view, held until the next view, bounded.
 *
 * <p>They are held compacted: per node, the rows its announcements add up to (a full announcement
 * replaces what was held of the node, a change sets or clears its filters), so a node that keeps
 * announcing holds at most its own table here, not a list of every announcement. At most
 * {@code maxPerNode} rows of one node and {@code maxTotal} of all are held; an announcement that would
 * pass either is dropped with everything held of its node (counted by filter), and the node is marked
 * as owing a full announcement: once it is in the view, the route table asks it for one
 * ({@link RouteTable}), which repairs what was dropped (a later change alone would not: it says
 * nothing of the filters it does not name).
 *
 * <p>Threading: owned by the route table's thread.
 */
final class HeldRoutes {
    /** What is held of one node: its rows, and whether they replace what this node had (a full one came). */
    record Held(boolean full, Map<String, Integer> counts) {
    }

    private final int maxPerNode;
    private final int maxTotal;
    private final Map<NodeId, Held> held = new HashMap<>();
    private final Set<NodeId> owingFull = new HashSet<>();
    private int total;
    private long dropped;

    HeldRoutes(int maxPerNode, int maxTotal) {
        if (maxPerNode < 1 || maxTotal < 1) {
            throw new IllegalArgumentException("invalid bounds: " + maxPerNode + ", " + maxTotal);
        }
        this.maxPerNode = maxPerNode;
        this.maxTotal = maxTotal;
    }

    /** Holds {@code a} from {@code from}; returns false when it was dropped (and counted) instead. */
    boolean hold(NodeId from, RouteAnnouncement a) {
        if (!a.full() && owingFull.contains(from)) {
            drop(from, a.counts().size()); // changes on top of rows dropped already: wait for a full one
            return false;
        }
        Held before = held.get(from);
        int had = before == null ? 0 : before.counts().size();
        Map<String, Integer> rows = a.full() || before == null ? new HashMap<>() : new HashMap<>(before.counts());
        rows.putAll(a.counts()); // a count of 0 stays: it clears a row this node may have of the node
        if (rows.size() > maxPerNode || total - had + rows.size() > maxTotal) {
            drop(from, a.counts().size());
            return false;
        }
        owingFull.remove(from);
        held.put(from, new Held(a.full() || (before != null && before.full()), rows));
        total += rows.size() - had;
        return true;
    }

    private void drop(NodeId from, int filters) {
        Held gone = held.remove(from);
        if (gone != null) {
            total -= gone.counts().size();
            dropped += gone.counts().size();
        }
        dropped += filters;
        owingFull.add(from);
    }

    /** What is held of {@code node}, taken out; null when nothing is. */
    Held take(NodeId node) {
        Held h = held.remove(node);
        if (h != null) {
            total -= h.counts().size();
        }
        return h;
    }

    /** Whether rows of {@code node} were dropped since its last full announcement held or taken. */
    boolean owesFull(NodeId node) {
        return owingFull.contains(node);
    }

    /** {@code node} was asked for a full announcement (or left for good): no longer owed. */
    void forgetOwed(NodeId node) {
        owingFull.remove(node);
    }

    /** Drops what is held (the view changed: what is not taken came from nodes that are not members). */
    void clear() {
        held.clear();
        total = 0;
    }

    /** Filters held now, all nodes. */
    int size() {
        return total;
    }

    /** Filters dropped since the start: announced by a node not in the view, past a bound. */
    long dropped() {
        return dropped;
    }
}
