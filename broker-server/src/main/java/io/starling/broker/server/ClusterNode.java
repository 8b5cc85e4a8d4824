package io.starling.broker.server;

import io.netty.buffer.PooledByteBufAllocator;
import io.starling.broker.cluster.lease.ClientLease;
import io.starling.broker.cluster.lease.LeasePings;
import io.starling.broker.cluster.link.LinkLoops;
import io.starling.broker.cluster.link.NodeLinks;
import io.starling.broker.cluster.membership.ClusterChannel;
import io.starling.broker.cluster.membership.MemberTls;
import io.starling.broker.cluster.raft.RaftGroup;
import io.starling.broker.cluster.registry.ClientIdRegistry;
import io.starling.broker.cluster.retained.ReplicatedRetainedStore;
import io.starling.broker.cluster.routes.RouteTable;
import io.starling.broker.cluster.takeover.RestoredSessionFence;
import io.starling.broker.cluster.takeover.SessionTakeover;
import io.starling.broker.cluster.status.ClusterStatusCollector;
import io.starling.broker.cluster.status.ClusterStatusSource;
import io.starling.broker.config.ClusterSettings;
import io.starling.broker.config.ClusterSettings.HostPort;
import io.starling.broker.config.PersistenceConfig;
import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.protocol.LostLease;
import io.starling.broker.core.store.RetainedStore;
import io.starling.broker.core.store.memory.InMemoryRetainedStore;
import io.starling.broker.core.time.Clock;
import io.starling.broker.transport.EventLoops;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster side of a broker whose config has {@code cluster_*} lines: its JGroups channel (with
 * Raft in the stack), the Raft group with the client-id registry and the retained messages, the node
 * links and the route table. A broker without those lines never creates one, so it has no cluster
 * thread or port.
 *
 * <p>Two steps, because the core takes its retained store at construction: {@link #create} builds the
 * channel and the Raft group and gives the replicated retained store for the core (and the local one
 * under it, where a restart's stored retained messages go); {@link #start} plugs the rest into the
 * core and joins the cluster.
 */
final class ClusterNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);

    private final ClusterSettings settings;
    private final ClusterChannel channel;
    private final RaftGroup raft;
    private final InMemoryRetainedStore localRetained = new InMemoryRetainedStore();
    private final ReplicatedRetainedStore retained;
    private ClientIdRegistry registry;
    private SessionTakeover takeover;
    private NodeLinks links;
    private LinkAddresses linkAddresses;
    private RouteTable routes;
    private RestoredSessionFence fence;
    /** Every node applies every node's lease pings, so the part is there whether this node's lease is on or not. */
    private final LeasePings leasePings;
    private ClientLease lease;

    private ClusterNode(ClusterSettings settings, ClusterChannel channel, Clock clock) {
        this.settings = settings;
        this.channel = channel;
        this.raft = new RaftGroup(channel.channel(), settings.raftTimeout());
        this.retained = new ReplicatedRetainedStore(raft, localRetained, clock, PooledByteBufAllocator.DEFAULT);
        this.leasePings = new LeasePings(settings.nodeId());
        raft.register(leasePings);
    }

    /** Builds the channel and the Raft group; opens nothing yet. */
    static ClusterNode create(ClusterSettings settings, PersistenceConfig persistence, Clock clock) throws Exception {
        return new ClusterNode(settings, new ClusterChannel(settings, raftLogDir(persistence)), clock);
    }

    /** The core's retained store: writes go through Raft, reads are local. */
    RetainedStore retained() {
        return retained;
    }

    /** This node's applied copy under {@link #retained()}: where a restart puts the messages its store kept. */
    RetainedStore localRetained() {
        return localRetained;
    }

    /**
     * Plugs the registry into {@code core}'s CONNECT, starts the node links on the broker's loops and the
     * route table, joins the cluster (alone when no peer answered in time), and waits up to the failure
     * timeout for a Raft leader: until there is one, CONNECTs are refused (0x88 / return code 3).
     */
    void start(BrokerCore core, EventLoops loops) throws Exception {
        // A CONNECT claims its id in the registry; when another node held it, that node closes its
        // connection (0x8E; its will goes as on one node) and hands the session over before this node's CONNACK.
        // cluster_connect_without_majority (unsafe): without a majority the claim is skipped, not refused.
        takeover = new SessionTakeover(channel, core, SessionTakeover.DEFAULT_WAIT, settings.connectWithoutMajority());
        registry = new ClientIdRegistry(channel.self(), raft, takeover::lost);
        raft.start();
        takeover.start(registry);
        HostPort bind = settings.bind();
        links = NodeLinks.start(channel.self(), System.currentTimeMillis(), core,
                new LinkLoops(loops.workers(), loops.serverChannel(), loops.socketChannel(), loops.outboxes()),
                new InetSocketAddress(bind.host(), settings.linkPort()),
                settings.tls() == null ? null : MemberTls.context(settings.tls()), settings.limits());
        // A session handed over takes its rows along over the links; one moving here holds its old node's link until it is in.
        takeover.moveRowsThrough(links, loops.outboxes());
        linkAddresses = LinkAddresses.start(channel, links, new HostPort(bind.host(), links.address().getPort()));
        routes = RouteTable.start(channel, core.subscriptions(), core.shared(), links::remoteNode, settings.limits());
        takeover.announceMovedRowsWith(routes::keepAnnounced);
        channel.connect(raft::resetForRejoin); // a join refused while a previous run of this node is still in the view is tried again
        raft.joined();
        awaitLeader(settings.failureTimeout());
        if (!settings.clientLease().isZero()) {
            // Connections stay only while this node's pings get through the log; an id taken over from a node
            // that cannot be asked is granted only once that node's lease has run out.
            lease = ClientLease.start(channel.self(), raft, leasePings, settings.clientLease(), closedOne -> LostLease.closeAll(core, closedOne));
            takeover.waitForLeases(ClientLease.grantWait(settings.clientLease()), lease::held);
            if (raft.hasLeader()) { // without one it cannot hold, and the leader's wait was the warning
                awaitLease(settings.failureTimeout()); // CONNECTs are refused until it holds
            }
        }
        // A session restored from the store whose client connected elsewhere while this node was down is
        // stale: dropped before the listeners open (or, without a majority yet, as soon as the registry answers).
        fence = new RestoredSessionFence(channel.self(), registry, core);
        try {
            fence.start().get(settings.raftTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("Cluster node {}: the client-id registry did not answer for the restored sessions within {} ms; "
                    + "opening the listeners, the check goes on.", channel.self(), settings.raftTimeout().toMillis());
        }
    }

    private void awaitLeader(Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!raft.hasLeader()) {
            if (System.nanoTime() - deadline > 0) {
                LOG.warn("Cluster node {}: no Raft leader after {} ms (members {} of Raft members {}; {}); opening the "
                                + "listeners anyway: CONNECTs are refused until there is a leader.", channel.self(),
                        bound.toMillis(), channel.members(), settings.raftMembers(), raft.describe());
                return;
            }
            Thread.sleep(20);
        }
        LOG.info("Cluster node {}: Raft leader {}.", channel.self(), raft.handle().leader());
    }

    /** Waits, at most {@code bound}, for this node's first lease ping to come back through the log. */
    private void awaitLease(Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!lease.held()) {
            if (System.nanoTime() - deadline > 0) {
                LOG.warn("Cluster node {}: its client lease does not hold after {} ms ({}); opening the listeners anyway: "
                        + "CONNECTs are refused until it does.", channel.self(), bound.toMillis(), raft.describe());
                return;
            }
            Thread.sleep(20);
        }
    }

    /** Beside the store with {@code persistence true}; in memory otherwise. */
    private static Path raftLogDir(PersistenceConfig persistence) {
        return persistence.enabled() ? persistence.path().toAbsolutePath().getParent() : null;
    }

    ClusterChannel channel() {
        return channel;
    }

    RouteTable routes() {
        return routes;
    }

    NodeLinks links() {
        return links;
    }

    /** This node's client lease, or null with {@code cluster_client_lease} off. */
    ClientLease lease() {
        return lease;
    }

    RaftGroup raft() {
        return raft;
    }

    ClientIdRegistry registry() {
        return registry;
    }

    SessionTakeover takeover() {
        return takeover;
    }

    /** What $SYS, the metrics and the HTTP API show of the cluster; asked after {@link #start}. */
    ClusterStatusSource status() {
        ClusterStatusCollector collector = new ClusterStatusCollector(channel, routes, links, registry, retained,
                takeover::unsafeConnects);
        ClientLease l = lease;
        return l == null ? collector : collector.leaseFrom(l::status);
    }

    /**
     * Stops announcing routes (the other nodes' rows leave the tree), closes the node links (before the
     * broker's loops close), fails what waits for Raft, then leaves the cluster. The retained stores are
     * the core's to close.
     */
    @Override
    public void close() {
        if (lease != null) {
            lease.close();
        }
        if (fence != null) {
            fence.close();
        }
        if (routes != null) {
            routes.close();
        }
        if (linkAddresses != null) {
            linkAddresses.close();
        }
        if (links != null) {
            links.close();
        }
        raft.close();
        channel.close();
    }
}
