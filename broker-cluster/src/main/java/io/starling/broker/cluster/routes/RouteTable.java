package io.starling.broker.cluster.routes;

import io.starling.broker.cluster.NodeId;
import io.starling.broker.cluster.membership.ClusterChannel;
import io.starling.broker.config.ClusterSettings;
import io.starling.broker.core.RateLimitedLog;
import io.starling.broker.core.routing.RemoteNode;
import io.starling.broker.core.routing.ShareGroup;
import io.starling.broker.core.routing.SharedSubscriptions;
import io.starling.broker.core.routing.Subscriber;
import io.starling.broker.core.routing.SubscriberOptions;
import io.starling.broker.core.topic.SubscriptionTree;
import io.starling.broker.core.topic.TopicFilter;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.SubscriptionOptions;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's route table, this node's part of it: tells the other nodes which filters this node has
 * subscribers on, and enters theirs in the local {@link SubscriptionTree} as {@link RemoteNode}
 * subscribers (one per node per filter), so that {@code Router} matches a remote node as it matches a
 * session.
 *
 * <p><b>Consistency: converges.</b> Each node owns its own rows and is the only one to send them.
 * Local changes are sent as they happen (a filter's first subscription and its last unsubscription,
 * batched: whatever changed since the last send goes in one multicast), and everything is sent again
 * in full after every view change (a join, a leave, a merge after a partition), which replaces what
 * the receivers had of the node. JGroups multicast is reliable and FIFO per sender, so a receiver
 * applies one node's announcements in the order they were made. A node that leaves the view loses its
 * rows at once. Announcements from a node not (yet) in this node's view wait for the next view: kept
 * if it has the node, dropped if not (a late message from a departed node leaves no orphan row; an
 * early one from a joining node is not lost). What waits is bounded ({@link HeldRoutes}): past the
 * bound a node's held rows are dropped and counted, and once the node is in the view it is asked to
 * announce in full again.
 *
 * <p><b>Local changes</b> come from {@link SubscriptionTree#watch} (sessions' own subscriptions: a
 * filter is announced when its first subscription comes and when its last goes) and from
 * {@link SharedSubscriptions#watch} (shared subscription groups: a row {@code $share/{name}/{filter}}
 * whose count is the node's number of members, announced at every change of the count, since the
 * other nodes weigh their choice of a member by it). The other nodes enter a group's row in their
 * own {@link io.starling.broker.core.routing.ShareGroup} of that name and filter, not in the tree as a
 * plain filter: the node where a message is published chooses one member of the group in the whole
 * cluster. Remote nodes' own rows are not announced back. A SUBSCRIBE is acknowledged after the local
 * apply; the route reaches the other nodes after one multicast.
 *
 * <p><b>Threading.</b> All state is owned by one thread of its own ({@code cluster-routes}): the
 * tree's watcher and the channel's listeners only hand work to it, so neither an event loop nor a
 * JGroups thread waits for a send or for the tree's write lock here.
 */
public final class RouteTable implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RouteTable.class);
    private static final RateLimitedLog DROP_LOG = new RateLimitedLog(10);
    /** The options of a remote node's row: the receiving node applies the subscribers' own options. */
    static final SubscriberOptions REMOTE = new SubscriberOptions(
            new SubscriptionOptions(QoS.EXACTLY_ONCE, false, true, 0), 0);

    /** The subscriber that stands for a node in the tree. */
    public interface RemoteNodes {
        RemoteNode of(NodeId node);
    }

    private final ClusterChannel channel;
    private final SubscriptionTree<Subscriber, SubscriberOptions> tree;
    /** This node's shared subscription groups; null where there are none (tests of the table alone). */
    private final SharedSubscriptions shared;
    /** Null: the rows are kept here but not entered in the tree (no node links to forward through yet). */
    private final RemoteNodes remoteNodes;
    private final ExecutorService thread;
    private final ConcurrentLinkedQueue<LocalChange> changes = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainQueued = new AtomicBoolean();
    private final SharedSubscriptions.Watcher sharedWatcher = (group, filter, count) -> {
        changes.add(new LocalChange(TopicFilter.SHARE_PREFIX + group + "/" + filter, count, true));
        if (drainQueued.compareAndSet(false, true)) {
            run(this::drain);
        }
    };
    private final SubscriptionTree.Watcher<Subscriber> watcher = new SubscriptionTree.Watcher<>() {
        @Override
        public void added(String filter, Subscriber subscriber) {
            local(filter, subscriber, 1);
        }

        @Override
        public void removed(String filter, Subscriber subscriber) {
            local(filter, subscriber, -1);
        }
    };

    // Owned by the route table's thread.
    private final Map<String, Integer> localCounts = new HashMap<>();
    private final Map<NodeId, Rows> remote = new HashMap<>();
    /** How many filters each other node has here, republished after each change: read without waiting. */
    private volatile Map<NodeId, Integer> remoteCounts = Map.of();
    private final HeldRoutes held;
    /** {@link HeldRoutes#dropped()}, republished for readers on other threads. */
    private volatile long heldDropped;
    private Set<NodeId> members = Set.of();

    private RouteTable(ClusterChannel channel, SubscriptionTree<Subscriber, SubscriberOptions> tree,
                       SharedSubscriptions shared, RemoteNodes remoteNodes, ClusterSettings.Limits limits) {
        this.channel = channel;
        this.held = new HeldRoutes(limits.maxHeldRoutesPerNode(), limits.maxHeldRoutes());
        this.tree = tree;
        this.shared = shared;
        this.remoteNodes = remoteNodes;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "cluster-routes-" + channel.self());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts announcing {@code tree}'s subscriptions over {@code channel} and entering the other nodes'
     * in it. Call before {@link ClusterChannel#connect()}, so that the first view is seen.
     *
     * @param remoteNodes the subscriber of each remote node; null to keep the other nodes' rows here only
     */
    public static RouteTable start(ClusterChannel channel, SubscriptionTree<Subscriber, SubscriberOptions> tree,
                                   RemoteNodes remoteNodes) {
        return start(channel, tree, null, remoteNodes, ClusterSettings.Limits.DEFAULTS);
    }

    /**
     * As {@link #start(ClusterChannel, SubscriptionTree, RemoteNodes)}, with the bounds of held announcements
     * ({@link ClusterSettings.Limits#maxHeldRoutesPerNode()}, {@link ClusterSettings.Limits#maxHeldRoutes()}).
     */
    public static RouteTable start(ClusterChannel channel, SubscriptionTree<Subscriber, SubscriberOptions> tree,
                                   RemoteNodes remoteNodes, ClusterSettings.Limits limits) {
        return start(channel, tree, null, remoteNodes, limits);
    }

    /**
     * As {@link #start(ClusterChannel, SubscriptionTree, RemoteNodes)}, with the node's shared subscription
     * groups ({@code shared}, whose groups are entries of {@code tree}): their rows are the groups, with
     * their member counts.
     */
    public static RouteTable start(ClusterChannel channel, SubscriptionTree<Subscriber, SubscriberOptions> tree,
                                   SharedSubscriptions shared, RemoteNodes remoteNodes) {
        return start(channel, tree, shared, remoteNodes, ClusterSettings.Limits.DEFAULTS);
    }

    /** With the shared subscription groups and the bounds of held announcements. */
    public static RouteTable start(ClusterChannel channel, SubscriptionTree<Subscriber, SubscriberOptions> tree,
                                   SharedSubscriptions shared, RemoteNodes remoteNodes, ClusterSettings.Limits limits) {
        RouteTable table = new RouteTable(channel, tree, shared, remoteNodes, limits);
        channel.addViewListener((view, merged) -> table.run(() -> table.viewChanged(view, merged)));
        channel.onMessage(ClusterChannel.ROUTES, (from, data) -> table.run(() -> table.received(from, data)));
        tree.watch(table.watcher);
        if (shared != null) {
            shared.watch(table.sharedWatcher);
        }
        return table;
    }

    private void local(String filter, Subscriber subscriber, int delta) {
        if (subscriber instanceof RemoteNode) {
            return; // another node's row, not ours to announce
        }
        if (subscriber instanceof ShareGroup && shared != null) {
            return; // announced with its member count, from the shared subscriptions' watcher
        }
        changes.add(new LocalChange(filter, delta, false));
        if (drainQueued.compareAndSet(false, true)) {
            run(this::drain);
        }
    }

    /**
     * Keeps {@code filter} announced as this node's for {@code window}, as if one more local subscription
     * had it: a session moved from here to another node, whose own row may reach the other nodes later than
     * this node's removal would; meanwhile what they send here for it is relayed ({@code SessionTakeover}).
     * Called before the session's rows leave the tree, so that the count never drops to zero between.
     */
    public void keepAnnounced(String filter, Duration window) {
        changes.add(new LocalChange(filter, 1, false));
        if (drainQueued.compareAndSet(false, true)) {
            run(this::drain);
        }
        CompletableFuture.delayedExecutor(window.toNanos(), TimeUnit.NANOSECONDS).execute(() -> {
            changes.add(new LocalChange(filter, -1, false));
            if (drainQueued.compareAndSet(false, true)) {
                run(this::drain);
            }
        });
    }

    /** Applies the queued local changes and announces the filters that appeared or disappeared. */
    private void drain() {
        drainQueued.set(false);
        Map<String, Integer> before = new HashMap<>();
        for (LocalChange c; (c = changes.poll()) != null; ) {
            before.putIfAbsent(c.filter(), localCounts.getOrDefault(c.filter(), 0));
            int now = c.absolute() ? c.value() : localCounts.getOrDefault(c.filter(), 0) + c.value();
            if (now > 0) {
                localCounts.put(c.filter(), now);
            } else {
                localCounts.remove(c.filter());
            }
        }
        Map<String, Integer> changed = new HashMap<>();
        before.forEach((filter, was) -> {
            int now = localCounts.getOrDefault(filter, 0);
            // A group's count weighs the other nodes' choice of a member: every change of it goes out.
            if ((was > 0) != (now > 0) || (was != now && TopicFilter.isShared(filter))) {
                changed.put(filter, now);
            }
        });
        if (!changed.isEmpty() && !members.isEmpty()) {
            send(new RouteAnnouncement(false, changed));
        }
    }

    private void viewChanged(List<NodeId> view, boolean merged) {
        drain();
        Set<NodeId> now = new HashSet<>(view);
        for (Iterator<Map.Entry<NodeId, Rows>> it = remote.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<NodeId, Rows> e = it.next();
            if (!now.contains(e.getKey())) {
                int n = e.getValue().removeAll();
                it.remove();
                LOG.info("Cluster node {} left: its {} routes removed.", e.getKey(), n);
            }
        }
        members = now;
        for (NodeId node : now) {
            HeldRoutes.Held h = held.take(node);
            if (h != null) {
                apply(node, new RouteAnnouncement(h.full(), h.counts()));
            }
            if (held.owesFull(node)) {
                held.forgetOwed(node);
                askFull(node);
            }
        }
        held.clear();
        publishCounts();
        if (now.size() > 1) {
            send(new RouteAnnouncement(true, localCounts));
            LOG.debug("Announced {} routes in full after {} view {}.", localCounts.size(), merged ? "merged" : "new", view);
        }
    }

    private void received(NodeId from, byte[] data) {
        if (RouteAnnouncement.isFullRequest(data)) {
            if (members.size() > 1) {
                send(new RouteAnnouncement(true, localCounts));
                LOG.debug("Announced {} routes in full at {}'s request.", localCounts.size(), from);
            }
            return;
        }
        RouteAnnouncement a;
        try {
            a = RouteAnnouncement.decode(data);
        } catch (IOException e) {
            LOG.warn("Cluster node {} sent a route announcement that cannot be read ({}); ignored.", from, e.getMessage());
            return;
        }
        if (!members.contains(from)) {
            if (!held.hold(from, a)) {
                heldDropped = held.dropped();
                DROP_LOG.warn(LOG, "Route announcements of cluster node {}, not in this node's view yet, passed the "
                        + "held bound: dropped; it will be asked to announce in full when it is.", from);
            }
            return;
        }
        apply(from, a);
    }

    private void apply(NodeId from, RouteAnnouncement a) {
        Rows rows = remote.computeIfAbsent(from, n -> new Rows(n, remoteNodes == null ? null : remoteNodes.of(n)));
        if (a.full()) {
            rows.replaceWith(a.counts());
        } else {
            a.counts().forEach(rows::set);
        }
        publishCounts();
    }

    private void publishCounts() {
        Map<NodeId, Integer> counts = new HashMap<>();
        remote.forEach((node, rows) -> counts.put(node, rows.counts.size()));
        remoteCounts = Map.copyOf(counts);
    }

    /**
     * How many filters each other node has in this node's table: for $SYS and metrics, read from any
     * thread without waiting for the table's thread (a moment's picture).
     */
    public Map<NodeId, Integer> remoteRouteCounts() {
        return remoteCounts;
    }

    private void askFull(NodeId node) {
        try {
            channel.unicast(node, ClusterChannel.ROUTES, RouteAnnouncement.FULL_REQUEST);
            LOG.info("Asked cluster node {} to announce its routes in full (some were dropped before it joined).", node);
        } catch (Exception e) {
            LOG.warn("Could not ask cluster node {} for its routes: {}", node, e.toString());
        }
    }

    /**
     * Filters announced by nodes not yet in this node's view and dropped past the held bound (the node
     * is asked for them again once in the view), since the start.
     */
    public long heldRoutesDropped() {
        return heldDropped;
    }

    private void send(RouteAnnouncement a) {
        try {
            channel.multicast(ClusterChannel.ROUTES, a.encode());
        } catch (Exception e) {
            // The channel is closing or this node is alone; the next view's full announcement repairs the rest.
            LOG.warn("Could not announce {} routes to the cluster: {}", a.counts().size(), e.toString());
        }
    }

    /** The other nodes' filters with their subscription counts, as this node has them. */
    public Map<NodeId, Map<String, Integer>> remoteRoutes() {
        return ask(() -> {
            Map<NodeId, Map<String, Integer>> out = new HashMap<>();
            remote.forEach((node, rows) -> out.put(node, Map.copyOf(rows.counts)));
            return out;
        });
    }

    /** This node's filters with their local subscription counts, as last applied. */
    public Map<String, Integer> localRoutes() {
        return ask(() -> Map.copyOf(localCounts));
    }

    private <T> T ask(Callable<T> question) {
        try {
            return thread.submit(question).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private void run(Runnable task) {
        try {
            thread.execute(task);
        } catch (RejectedExecutionException closed) {
            // closed: nothing to keep up to date any more
        }
    }

    /** Stops announcing and removes the other nodes' rows from the tree. Call before closing the channel. */
    @Override
    public void close() {
        tree.unwatch(watcher);
        if (shared != null) {
            shared.unwatch(sharedWatcher);
        }
        run(() -> {
            remote.values().forEach(Rows::removeAll);
            remote.clear();
        });
        thread.shutdown();
        try {
            if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("The cluster route table did not stop within 10 s.");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A change of a local row: a filter's subscription count by {@code value}, or a group's member count set to it. */
    private record LocalChange(String filter, int value, boolean absolute) {
    }

    /** One remote node's rows: its filters with counts, entered in the tree under its subscriber. */
    private final class Rows {
        final NodeId node;
        final RemoteNode subscriber;
        final Map<String, Integer> counts = new HashMap<>();

        Rows(NodeId node, RemoteNode subscriber) {
            this.node = node;
            this.subscriber = subscriber;
        }

        void set(String filter, int count) {
            if (TopicFilter.isShared(filter)) {
                setGroup(filter, count);
                return;
            }
            if (count == 0) {
                if (counts.remove(filter) != null && subscriber != null) {
                    tree.unsubscribe(filter, subscriber);
                }
                return;
            }
            if (counts.put(filter, count) == null && subscriber != null) {
                try {
                    tree.subscribe(filter, subscriber, REMOTE);
                } catch (IllegalArgumentException e) {
                    counts.remove(filter);
                    LOG.warn("Cluster node {} announced an invalid filter; ignored: {}", node, e.getMessage());
                }
            }
        }

        /** A row of a shared subscription group: the node's member count, entered in this node's group. */
        private void setGroup(String row, int count) {
            Integer before = count == 0 ? counts.remove(row) : counts.put(row, count);
            if (subscriber == null || shared == null || (before == null && count == 0)) {
                return;
            }
            try {
                TopicFilter.Shared group = TopicFilter.parseShared(row);
                shared.setRemote(group.group(), group.filter(), subscriber, count, REMOTE);
            } catch (IllegalArgumentException e) {
                counts.remove(row);
                LOG.warn("Cluster node {} announced an invalid shared subscription; ignored: {}", node, e.getMessage());
            }
        }

        void replaceWith(Map<String, Integer> full) {
            for (String filter : new ArrayList<>(counts.keySet())) {
                if (!full.containsKey(filter)) {
                    set(filter, 0);
                }
            }
            full.forEach(this::set);
        }

        int removeAll() {
            int n = counts.size();
            for (String filter : new ArrayList<>(counts.keySet())) {
                set(filter, 0);
            }
            return n;
        }
    }
}
