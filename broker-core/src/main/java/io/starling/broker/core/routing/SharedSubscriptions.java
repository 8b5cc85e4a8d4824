package io.starling.broker.core.routing;

import io.starling.broker.core.session.Session;
import io.starling.broker.core.topic.SubscriptionTree;
import java.util.HashMap;
import java.util.Map;

/**
 * The shared subscriptions of the broker: one {@link ShareGroup} per (share name, filter), entered
 * in the subscription tree once, under its filter.
 *
 * <p>Threading: membership changes are serialized on this object (they are rare); routing reads the
 * groups through the tree without locking here.
 */
public final class SharedSubscriptions {
    private final SubscriptionTree<Subscriber, SubscriberOptions> tree;
    private final Map<String, ShareGroup> groups = new HashMap<>();

    public SharedSubscriptions(SubscriptionTree<Subscriber, SubscriberOptions> tree) {
        this.tree = tree;
    }

    /** Adds the session to the group; returns true when it was a member already (a re-subscribe). */
    public synchronized boolean subscribe(String group, String filter, Session session, SubscriberOptions options) {
        ShareGroup g = groups.computeIfAbsent(key(group, filter), k -> {
            ShareGroup created = new ShareGroup(group, filter);
            tree.subscribe(filter, created, options);
            return created;
        });
        return g.put(session, options);
    }

    /** Removes the session from the group; returns false when it was not a member. */
    public synchronized boolean unsubscribe(String group, String filter, Session session) {
        String key = key(group, filter);
        ShareGroup g = groups.get(key);
        if (g == null || !g.remove(session)) {
            return false;
        }
        if (g.isEmpty()) {
            groups.remove(key);
            tree.unsubscribe(filter, g);
        }
        return true;
    }


    private static String key(String group, String filter) {
        return group + '\u0000' + filter; // U+0000 is never part of a valid name or filter
    }
}
