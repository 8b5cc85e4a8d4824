package io.starling.broker.cluster.membership;

import io.starling.broker.cluster.NodeId;
import io.starling.broker.config.ClusterSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.MergeView;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.jgroups.protocols.raft.InMemoryLog;
import org.jgroups.protocols.raft.RAFT;
import org.jgroups.stack.DiagnosticsHandler;
import org.jgroups.util.NameCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's one JGroups channel: membership, failure detection, merges and reliable multicast, with
 * jgroups-raft's protocols in the same stack (see {@link ClusterStack}), so the Raft users (client-id
 * registry, retained messages) take {@link #channel()} for their {@code RaftHandle}. Its logical name,
 * and Raft id, is the node id.
 *
 * <p>Life cycle: construct (builds the stack, opens nothing), add listeners and RaftHandles, then
 * {@link #connect()}; {@link #close()} leaves the cluster. Listeners added before {@code connect} see
 * every view.
 *
 * <p>Multicasts carry a one-byte kind first, so that several users (the route table first) share the
 * channel; each kind has one listener. Threading: listeners are called on JGroups' threads, messages of
 * one sender one at a time and in the order sent, views one at a time; they must not block (hand the
 * work to a thread of their own). A listener's message and a view may be delivered concurrently.
 */
public final class ClusterChannel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterChannel.class);
    /** The route table's multicasts. */
    public static final byte ROUTES = 1;
    /** A node's node-link address ({@code host:port}), sent after every view change. */
    public static final byte LINKS = 2;
    /** The session takeover's unicasts. */
    public static final byte TAKEOVER = 3;
    /** How often a join refused for a member of this node's name is tried again. */
    static final Duration JOIN_RETRY = Duration.ofMillis(500);
    /** Beyond failure detection, how long a join refused for a member of this node's name is tried again. */
    static final Duration DUPLICATE_NAME_MARGIN = Duration.ofSeconds(5);

    /** A new view: the members (this node included), and whether it is a merge after a partition. */
    public interface ViewListener {
        void viewChanged(List<NodeId> members, boolean merged);
    }

    /** A multicast (or unicast) of one kind from another node. */
    public interface MessageListener {
        void received(NodeId from, byte[] data);
    }

    private final ClusterSettings settings;
    private final NodeId self;
    private final JChannel channel;
    private final List<ViewListener> viewListeners = new CopyOnWriteArrayList<>();
    private final Map<Byte, MessageListener> messageListeners = new ConcurrentHashMap<>();
    private volatile View view;
    /** Unicasts waiting for their node to be in the view, in the order given; guarded by itself. */
    private final List<Waiting> waiting = new ArrayList<>();

    /**
     * Builds the channel; nothing is bound until {@link #connect()}.
     *
     * @param raftLogDir where the Raft log lives (persistence on), or null for a log in memory
     */
    public ClusterChannel(ClusterSettings settings, Path raftLogDir) throws Exception {
        this.settings = settings;
        this.self = new NodeId(settings.nodeId());
        this.channel = new JChannel(ClusterStack.protocols(settings, raftLogDir));
        channel.setName(settings.nodeId());
        DiagnosticsHandler diagnostics = channel.getProtocolStack().getTransport().getDiagnosticsHandler();
        if (diagnostics != null) {
            diagnostics.setEnabled(false); // no probe socket: a node opens cluster_bind (and FD_SOCK2's) only
        }
        channel.setDiscardOwnMessages(true);
        channel.setReceiver(new Receiver() {
            @Override
            public void viewAccepted(View v) {
                accepted(v);
            }

            @Override
            public void receive(Message msg) {
                deliver(msg);
            }
        });
    }

    /** Joins the cluster (or founds it when no peer answers within the join timeout). */
    public void connect() throws Exception {
        connect(() -> { });
    }

    /** Something to run before a join is tried again (see {@link #connect(BeforeRejoin)}). */
    @FunctionalInterface
    public interface BeforeRejoin {
        void run() throws Exception;
    }

    /**
     * {@link #connect()}, running {@code beforeRejoin} before each join tried again after one refused for a
     * member of this node's name: a refused connect has started and stopped the stack (RAFT replayed its log
     * into the state machine and closed it), see {@code RaftGroup#resetForRejoin}.
     */
    public void connect(BeforeRejoin beforeRejoin) throws Exception {
        LOG.info("Cluster node {} joining cluster '{}' on {} (peers {}, Raft members {}).", self, settings.name(),
                settings.bind(), settings.peers(), settings.raftMembers());
        // A node restarted right after a crash finds its previous run still in the view until failure detection
        // drops it, and jgroups-raft's NO_DUPES refuses a second member of one name meanwhile: join again until
        // then. Longer than that, the name belongs to another live node: two nodes with one cluster_node_id.
        Duration bound = settings.failureTimeout().plus(settings.suspectTimeout()).plus(DUPLICATE_NAME_MARGIN);
        long deadline = System.nanoTime() + bound.toNanos();
        boolean warned = false;
        while (true) {
            try {
                channel.connect(settings.name());
                return;
            } catch (SecurityException e) {
                if (!isDuplicateName(e)) {
                    throw e;
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("another member of cluster '" + settings.name() + "' is named "
                            + self + " (cluster_node_id must differ between nodes): the cluster still had it after "
                            + bound.toMillis() + " ms, longer than failure detection takes to drop a previous run of this node",
                            e);
                }
                if (!warned) {
                    warned = true;
                    LOG.warn("Cluster node {}: the cluster still has a member named {}, a previous run of this node that it "
                            + "has not yet found dead (or another node with this cluster_node_id); joining again every "
                            + "{} ms for up to {} ms.", self, self, JOIN_RETRY.toMillis(), bound.toMillis());
                }
                Thread.sleep(JOIN_RETRY.toMillis());
                beforeRejoin.run();
            }
        }
    }

    /** Whether a join failed because a member of this node's name is in the view (jgroups-raft's NO_DUPES says so). */
    private static boolean isDuplicateName(SecurityException e) {
        return e.getMessage() != null && e.getMessage().contains("duplicate members");
    }

    /** The channel, with RAFT in its stack; for {@code new RaftHandle(channel(), stateMachine)}. */
    public JChannel channel() {
        return channel;
    }

    public NodeId self() {
        return self;
    }

    /** The members of the current view, this node included; empty before {@link #connect()}. */
    public List<NodeId> members() {
        View v = view;
        return v == null ? List.of() : names(v.getMembers());
    }

    public void addViewListener(ViewListener listener) {
        viewListeners.add(listener);
    }

    /** Sets the one listener of {@code kind}'s multicasts. */
    public void onMessage(byte kind, MessageListener listener) {
        if (messageListeners.putIfAbsent(kind, listener) != null) {
            throw new IllegalStateException("a listener of kind " + kind + " is already set");
        }
    }

    /** Sends {@code data} of {@code kind} to every other member, reliably, in order with this node's others. */
    public void multicast(byte kind, byte[] data) throws Exception {
        byte[] framed = new byte[data.length + 1];
        framed[0] = kind;
        System.arraycopy(data, 0, framed, 1, data.length);
        channel.send(new BytesMessage(null, framed));
    }

    /**
     * Sends {@code data} of {@code kind} to member {@code to} only, reliably and in order with this
     * node's other unicasts to it (UNICAST3); false when {@code to} is not in the current view.
     */
    public boolean unicast(NodeId to, byte kind, byte[] data) throws Exception {
        View v = view;
        Address target = null;
        if (v != null) {
            for (Address a : v.getMembers()) {
                if (nameOf(a).equals(to)) {
                    target = a;
                }
            }
        }
        if (target == null) {
            return false;
        }
        byte[] framed = new byte[data.length + 1];
        framed[0] = kind;
        System.arraycopy(data, 0, framed, 1, data.length);
        channel.send(new BytesMessage(target, framed));
        return true;
    }

    /**
     * As {@link #unicast}, but when {@code to} is not in the view yet the message waits for a view with it,
     * at most {@code within}: a node that has just joined can be in the Raft log (its claim of a client id
     * applied here) before it is in this node's view. Completes with whether it was sent (false also when
     * sending failed or this channel closed); messages waiting for the same node leave in the order given.
     */
    public CompletableFuture<Boolean> unicastOnceMember(NodeId to, byte kind, byte[] data, Duration within) {
        Waiting w = new Waiting(to, kind, data, new CompletableFuture<>());
        synchronized (waiting) {
            if (waiting.stream().noneMatch(o -> o.to.equals(to)) && trySend(w)) {
                return w.sent;
            }
            waiting.add(w);
        }
        CompletableFuture.delayedExecutor(within.toNanos(), TimeUnit.NANOSECONDS).execute(() -> {
            boolean expired;
            synchronized (waiting) {
                expired = waiting.remove(w);
            }
            if (expired) {
                w.sent.complete(false);
            }
        });
        return w.sent;
    }

    /** Sends now if {@code to} is in the view: true when done with it (sent, or failed for good). */
    private boolean trySend(Waiting w) {
        try {
            if (!unicast(w.to, w.kind, w.data)) {
                return false;
            }
            w.sent.complete(true);
        } catch (Exception e) {
            LOG.warn("Cluster message to {} not sent: {}", w.to, e.toString());
            w.sent.complete(false);
        }
        return true;
    }

    private void sendWaiting() {
        synchronized (waiting) {
            waiting.removeIf(this::trySend);
        }
    }

    private record Waiting(NodeId to, byte kind, byte[] data, CompletableFuture<Boolean> sent) {
    }

    private void deliver(Message msg) {
        byte[] framed = msg.getArray();
        int offset = msg.getOffset();
        int length = msg.getLength();
        if (length < 1) {
            return;
        }
        MessageListener listener = messageListeners.get(framed[offset]);
        if (listener == null) {
            LOG.debug("Cluster message of unknown kind {} from {} dropped.", framed[offset], msg.getSrc());
            return;
        }
        listener.received(nameOf(msg.getSrc()), Arrays.copyOfRange(framed, offset + 1, offset + length));
    }

    private void accepted(View v) {
        View before = view;
        view = v;
        boolean merged = v instanceof MergeView;
        List<NodeId> members = names(v.getMembers());
        if (merged) {
            List<List<NodeId>> groups = new ArrayList<>();
            ((MergeView) v).getSubgroups().forEach(g -> groups.add(names(g.getMembers())));
            LOG.info("Cluster partitions merged: {} -> members {}.", groups, members);
        } else if (before == null) {
            LOG.info("Cluster node {} joined; members {}.", self, members);
        } else {
            List<NodeId> joined = names(View.newMembers(before, v));
            List<NodeId> left = names(View.leftMembers(before, v));
            if (!joined.isEmpty()) {
                LOG.info("Cluster members joined: {}; members {}.", joined, members);
            }
            if (!left.isEmpty()) {
                LOG.info("Cluster members left: {}; members {}.", left, members);
            }
        }
        sendWaiting();
        for (ViewListener l : viewListeners) {
            try {
                l.viewChanged(members, merged);
            } catch (RuntimeException e) {
                LOG.error("A cluster view listener failed.", e);
            }
        }
    }

    private static List<NodeId> names(List<Address> addresses) {
        List<NodeId> out = new ArrayList<>(addresses.size());
        addresses.forEach(a -> out.add(nameOf(a)));
        return out;
    }

    private static NodeId nameOf(Address address) {
        String name = NameCache.get(address);
        return new NodeId(name != null ? name : address.toString());
    }

    /** Leaves the cluster and releases the ports and threads. */
    @Override
    public void close() {
        List<Waiting> left;
        synchronized (waiting) {
            left = List.copyOf(waiting);
            waiting.clear();
        }
        left.forEach(w -> w.sent.complete(false));
        channel.close();
        RAFT raft = channel.getProtocolStack() == null ? null : channel.getProtocolStack().findProtocol(RAFT.class);
        if (raft != null && raft.log() instanceof InMemoryLog inMemory) {
            inMemory.delete(); // out of jgroups-raft's JVM-wide map of logs (see ClusterStack)
        }
        LOG.info("Cluster node {} left cluster '{}'.", self, settings.name());
    }
}
