package io.starling.broker.cluster.link;

import io.starling.broker.cluster.NodeId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which origins' incoming links wait, and who to wake when they may go on. A session moving here from
 * node A holds what A forwards from the moment this node asks for it until it is taken in: A moves the
 * session's rows in its tree to this node once asked, so what A routes to the session from then on comes
 * over the link and must find the session's subscriptions here (see {@code SessionTakeover}). Holds nest
 * (several sessions may move from one node at once); each is released once.
 *
 * <p>Threading: any thread; waiters run on the thread that releases the last hold.
 */
final class LinkHolds {
    private final Map<NodeId, Integer> held = new HashMap<>();
    private final Map<NodeId, List<Runnable>> waiters = new HashMap<>();
    /** Whether any origin is held: the common case reads only this. */
    private volatile boolean any;

    /** Holds what {@code origin} forwards; the returned release may be run any number of times. */
    synchronized Runnable hold(NodeId origin) {
        held.merge(origin, 1, Integer::sum);
        any = true;
        boolean[] done = {false};
        return () -> {
            synchronized (this) {
                if (done[0]) {
                    return;
                }
                done[0] = true;
            }
            release(origin);
        };
    }

    boolean isHeld(NodeId origin) {
        if (!any) {
            return false;
        }
        synchronized (this) {
            return held.containsKey(origin);
        }
    }

    /** Runs {@code wake} once {@code origin} is no longer held (now, if it is not). */
    void whenReleased(NodeId origin, Runnable wake) {
        synchronized (this) {
            if (held.containsKey(origin)) {
                waiters.computeIfAbsent(origin, o -> new ArrayList<>()).add(wake);
                return;
            }
        }
        wake.run();
    }

    private void release(NodeId origin) {
        List<Runnable> wake;
        synchronized (this) {
            int left = held.merge(origin, -1, Integer::sum);
            if (left > 0) {
                return;
            }
            held.remove(origin);
            any = !held.isEmpty();
            wake = waiters.remove(origin);
        }
        if (wake != null) {
            wake.forEach(Runnable::run);
        }
    }
}
