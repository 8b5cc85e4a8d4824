package io.starling.broker.cluster.link;

import io.starling.broker.cluster.NodeId;
import io.starling.broker.core.store.LinkSequence;
import io.starling.broker.core.store.SessionStore;
import java.util.HashMap;
import java.util.Map;

/**
 * The receiver's memory of what each origin node forwarded: per origin, its current incarnation and
 * the highest sequence number routed. A sender numbers the QoS 1/2 messages of one incarnation
 * 1, 2, 3... and sends them in that order on each connection, and after a reconnect sends again the
 * unacknowledged ones, in order; so what a receiver sees is increasing on each connection, and a
 * number at or below the highest routed is a resend of a message routed already.
 *
 * <p>A new incarnation (the origin restarted) starts the count again; frames of an older one (a
 * connection of the previous life still draining) are dropped.
 *
 * <p>Surviving this node's restart: a message routed and stored here whose ack was lost in a crash is
 * sent again, same incarnation and sequence, once this node is back. So the highest sequence of each
 * origin is {@linkplain #stored stored} with the routing's writes, before the ack (which waits for
 * them to be durable), and {@linkplain #restore restored} at start: one store entry per origin, its
 * newest incarnation. What the store holds only ever grows per origin (written under this lock).
 *
 * <p>Threading: an origin's links may be read on two loops for a moment (an old connection not yet
 * seen closed, and the new one), so every method is synchronized.
 */
final class Duplicates {
    private record Seen(long incarnation, long highest) {
    }

    private final Map<NodeId, Seen> seen = new HashMap<>();
    /** What was last handed to the store per origin, so that its entry never goes back. */
    private final Map<NodeId, Seen> stored = new HashMap<>();

    /** Whether the message {@code seq} of {@code origin}'s {@code incarnation} is new; remembers it if so. */
    synchronized boolean firstTime(NodeId origin, long incarnation, long seq) {
        Seen s = seen.get(origin);
        if (s == null || incarnation > s.incarnation()) {
            seen.put(origin, new Seen(incarnation, seq));
            return true;
        }
        if (incarnation < s.incarnation() || seq <= s.highest()) {
            return false;
        }
        seen.put(origin, new Seen(incarnation, seq));
        return true;
    }

    /** Message {@code seq}, routed, stored something: writes the mark to {@code store}, in the routing's batch. */
    synchronized void stored(NodeId origin, long incarnation, long seq, SessionStore store) {
        Seen s = stored.get(origin);
        if (s != null && (incarnation < s.incarnation() || incarnation == s.incarnation() && seq <= s.highest())) {
            return;
        }
        stored.put(origin, new Seen(incarnation, seq));
        store.saveLinkSequence(origin.name(), incarnation, seq);
    }

    /** At start, before links are accepted: what the store kept. */
    synchronized void restore(Map<String, LinkSequence> marks) {
        marks.forEach((origin, mark) -> {
            Seen s = new Seen(mark.incarnation(), mark.seq());
            seen.put(new NodeId(origin), s);
            stored.put(new NodeId(origin), s);
        });
    }
}
