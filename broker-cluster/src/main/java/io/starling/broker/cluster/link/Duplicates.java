package io.starling.broker.cluster.link;

import io.starling.broker.cluster.NodeId;
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
 * connection of the previous life still draining) are dropped. Threading: an origin's links may be
 * read on two loops for a moment (an old connection not yet seen closed, and the new one), so the
 * check is synchronized.
 */
final class Duplicates {
    private record Seen(long incarnation, long highest) {
    }

    private final Map<NodeId, Seen> seen = new HashMap<>();

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
}
