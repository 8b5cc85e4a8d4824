package io.starling.broker.core.routing;

import io.starling.broker.core.session.Session;
import io.starling.broker.core.topic.SubscriptionTree;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The shared subscriptions of the broker: one {@link ShareGroup} per (share name, filter), entered
 * in the subscription tree once, under its filter, while it has members here or (in a cluster) on
 * another node.
 *
 * <p>A cluster's route table watches the local member counts ({@link #watch}) to announce them, and
 * enters the other nodes' counts with {@link #setRemote}.
 *
 * <p>Threading: membership changes are serialized on this object (they are rare), and watchers are
 * called under its lock, in the order of the changes; routing reads the groups through the tree
 * without locking here.
 */
public final class SharedSubscriptions {
    /** Told of every change of a group's count of members on this node. Must not block. */
    public interface Watcher {
        void localMembers(String group, String filter, int count);
    }

    private final SubscriptionTree<Subscriber, SubscriberOptions> tree;
    private final Map<String, ShareGroup> groups = new HashMap<>();
    private final CopyOnWriteArrayList<Watcher> watchers = new CopyOnWriteArrayList<>();

    public SharedSubscriptions(SubscriptionTree<Subscriber, SubscriberOptions> tree) {
        this.tree = tree;
    }

    /** Adds the session to the group; returns true when it was a member already (a re-subscribe). */
    public synchronized boolean subscribe(String group, String filter, Session session, SubscriberOptions options) {
        ShareGroup g = group(group, filter, options);
        boolean existed = g.put(session, options);
        if (!existed) {
            tell(g);
        }
        return existed;
    }

    /** The group, or null when no session here or elsewhere is a member of it. */
    public synchronized ShareGroup find(String group, String filter) {
        return groups.get(key(group, filter));
    }

    /** Removes the session from the group; returns false when it was not a member. */
    public synchronized boolean unsubscribe(String group, String filter, Session session) {
        String key = key(group, filter);
        ShareGroup g = groups.get(key);
        if (g == null || !g.remove(session)) {
            return false;
        }
        tell(g);
        forgetIfEmpty(key, g);
        return true;
    }

    /**
     * Another node of a cluster has {@code count} members of the group (0: none any more); the
     * route table's call.
     */
    public synchronized void setRemote(String group, String filter, RemoteNode node, int count, SubscriberOptions options) {
        String key = key(group, filter);
        ShareGroup g = count > 0 ? group(group, filter, options) : groups.get(key);
        if (g == null) {
            return;
        }
        g.setRemote(node, count);
        forgetIfEmpty(key, g);
    }

    /** Starts telling {@code watcher} of local member counts; it is first told of every group's current count. */
    public synchronized void watch(Watcher watcher) {
        watchers.add(watcher);
        for (ShareGroup g : groups.values()) {
            if (g.size() > 0) {
                watcher.localMembers(g.name(), g.filter(), g.size());
            }
        }
    }

    public void unwatch(Watcher watcher) {
        watchers.remove(watcher);
    }

    private ShareGroup group(String group, String filter, SubscriberOptions options) {
        return groups.computeIfAbsent(key(group, filter), k -> {
            ShareGroup created = new ShareGroup(group, filter);
            tree.subscribe(filter, created, options);
            return created;
        });
    }

    private void forgetIfEmpty(String key, ShareGroup g) {
        if (g.isEmpty()) {
            groups.remove(key);
            tree.unsubscribe(g.filter(), g);
        }
    }

    private void tell(ShareGroup g) {
        for (Watcher w : watchers) {
            w.localMembers(g.name(), g.filter(), g.size());
        }
    }

    private static String key(String group, String filter) {
        return group + '\u0000' + filter; // U+0000 is never part of a valid name or filter
    }
}
