package io.starling.broker.cluster.status;

import io.starling.broker.cluster.NodeId;
import io.starling.broker.cluster.link.LinkCounters;
import io.starling.broker.cluster.link.NodeLinks;
import io.starling.broker.cluster.membership.ClusterChannel;
import io.starling.broker.cluster.registry.ClientIdRegistry;
import io.starling.broker.cluster.retained.ReplicatedRetainedStore;
import io.starling.broker.cluster.routes.RouteTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.jgroups.Address;
import org.jgroups.protocols.raft.RAFT;
import org.jgroups.util.NameCache;

/**
 * Builds a {@link ClusterStatus} from the pieces a node runs. The channel and route table are always
 * there; the links, registry and retained store are optional (null: not wired), so a node reports what
 * it has. Raft's leader and term come from the RAFT protocol in the channel's stack.
 *
 * <p>Threading: {@link #status()} from any thread, an event loop included: it waits for nothing,
 * every figure is read as it is (a moment's picture).
 */
public final class ClusterStatusCollector implements ClusterStatusSource {
    private final ClusterChannel channel;
    private final RouteTable routes;
    private final NodeLinks links;
    private final ClientIdRegistry registry;
    private final ReplicatedRetainedStore retained;
    private final LongSupplier unsafeConnects;
    private volatile Supplier<ClusterStatus.Lease> lease = () -> null;

    /**
     * @param links    the node links, or null
     * @param registry the client-id registry, or null
     * @param retained the replicated retained store, or null
     */
    public ClusterStatusCollector(ClusterChannel channel, RouteTable routes, NodeLinks links,
                                  ClientIdRegistry registry, ReplicatedRetainedStore retained) {
        this(channel, routes, links, registry, retained, () -> 0);
    }

    /** @param unsafeConnects CONNECTs accepted without a claim of their id (the session takeover counts them) */
    public ClusterStatusCollector(ClusterChannel channel, RouteTable routes, NodeLinks links,
                                  ClientIdRegistry registry, ReplicatedRetainedStore retained, LongSupplier unsafeConnects) {
        this.channel = Objects.requireNonNull(channel);
        this.routes = Objects.requireNonNull(routes);
        this.links = links;
        this.registry = registry;
        this.retained = retained;
        this.unsafeConnects = Objects.requireNonNull(unsafeConnects);
    }

    /** From now on the status shows this node's client lease as {@code lease} gives it. */
    public ClusterStatusCollector leaseFrom(Supplier<ClusterStatus.Lease> lease) {
        this.lease = Objects.requireNonNull(lease);
        return this;
    }

    @Override
    public ClusterStatus status() {
        NodeId self = channel.self();
        List<NodeId> view = channel.members();
        RAFT raft = channel.channel().getProtocolStack().findProtocol(RAFT.class);
        Set<NodeId> known = new TreeSet<>(view);
        List<String> raftMembers = raft == null ? List.of() : raft.members();
        raftMembers.forEach(name -> known.add(new NodeId(name)));
        Map<NodeId, Integer> remote = routes.remoteRouteCounts();
        known.addAll(remote.keySet());

        List<ClusterStatus.Member> members = new ArrayList<>();
        List<ClusterStatus.Link> rows = new ArrayList<>();
        for (NodeId node : known) {
            members.add(new ClusterStatus.Member(node, view.contains(node)));
            if (!node.equals(self)) {
                rows.add(link(node, remote.getOrDefault(node, 0)));
            }
        }
        long presentVoters = raftMembers.stream().filter(name -> view.contains(new NodeId(name))).count();
        boolean majority = raft != null && presentVoters >= raftMembers.size() / 2 + 1;
        NodeId leader = raft == null ? null : nameOf(raft.leader());
        long term = raft == null ? 0 : raft.currentTerm();
        return new ClusterStatus(self, channel.channel().getClusterName(), members, leader, term, majority,
                registry == null ? -1 : registry.size(), retained == null ? -1 : retained.lostWrites(), links != null,
                rows, routes.heldRoutesDropped(), unsafeConnects.getAsLong(), lease.get());
    }

    private ClusterStatus.Link link(NodeId node, int routeCount) {
        if (links == null) {
            return new ClusterStatus.Link(node, routeCount, false, 0, 0, 0, 0, 0, 0);
        }
        LinkCounters c = links.counters(node);
        return new ClusterStatus.Link(node, routeCount, links.isConnected(node), c.forwardedOut.sum(),
                c.forwardedIn.sum(), c.resent.sum(), c.duplicatesIn.sum(), c.dropped(), links.unacknowledged(node),
                c.droppedLinkFull.sum(), c.droppedWindowFull.sum(), links.unacknowledgedBytes(node));
    }

    private static NodeId nameOf(Address address) {
        if (address == null) {
            return null;
        }
        String name = NameCache.get(address);
        return new NodeId(name != null ? name : address.toString());
    }
}
