package io.starling.broker.cluster.status;

import io.starling.broker.cluster.NodeId;
import java.util.List;
import java.util.Objects;

/**
 * What one node knows of its cluster at one moment, for $SYS, metrics, the HTTP API and the console.
 * Immutable; built by {@link ClusterStatusCollector} (or by hand in tests).
 *
 * @param self               this node's id ({@code cluster_node_id})
 * @param clusterName        {@code cluster_name}
 * @param members            every node this node knows of (the Raft members and the current view), by id,
 *                           with whether it is in the view now
 * @param leader             the Raft leader this node knows, or null (an election runs, or this node is on
 *                           a minority side)
 * @param term               the Raft term this node is in
 * @param majority           whether this node's view holds a majority of the Raft members: without it,
 *                           new CONNECTs are refused
 * @param registeredClients  client ids in the replicated client-id registry, as applied on this node
 *                           (-1 while the registry is not wired)
 * @param retainedLostWrites retained messages whose replicated write failed (-1 while not wired)
 * @param linksWired         whether the node links run: without them only the links' routes are known,
 *                           the rest of each {@link Link} is zero
 * @param links              one row per other node: its routes here and the link to it
 * @param heldRoutesDropped  filters announced by nodes not yet in this node's view and dropped past the
 *                           held bound ({@code cluster_max_held_routes*}); such a node is asked to announce
 *                           in full again once it is in the view
 * @param unsafeConnects     CONNECTs accepted without a claim of their client id because the registry had
 *                           no majority ({@code cluster_connect_without_majority true}; always 0 without it)
 * @param lease              this node's client lease, or null without {@code cluster_client_lease}
 */
public record ClusterStatus(NodeId self, String clusterName, List<Member> members, NodeId leader, long term,
                            boolean majority, long registeredClients, long retainedLostWrites, boolean linksWired,
                            List<Link> links, long heldRoutesDropped, long unsafeConnects, Lease lease) {

    public ClusterStatus {
        Objects.requireNonNull(self);
        members = List.copyOf(members);
        links = List.copyOf(links);
    }

    /**
     * This node's client lease ({@code cluster_client_lease}).
     *
     * @param held              whether it holds: the node is in touch with a Raft majority, keeps its
     *                          connections and takes CONNECTs
     * @param expiries          times it ran out
     * @param closedConnections client connections closed because it did not hold
     */
    public record Lease(boolean held, long expiries, long closedConnections) {
    }

    /** A node and whether it is in this node's current view. */
    public record Member(NodeId node, boolean up) {
    }

    /**
     * One other node as this node sees it.
     *
     * @param routes         filters of the node's subscriptions this node routes to it
     * @param connected      whether the link to it is up (false while links are not wired)
     * @param forwardedOut   messages forwarded to it: one per message, however many of its sessions match
     * @param forwardedIn    messages it forwarded here that this node routed
     * @param resent         QoS 1/2 messages sent to it again after the link came back
     * @param duplicates     resends from it that this node had routed already, dropped
     * @param dropped        messages meant for it that it will not get (no link, link full, window full,
     *                       node gone)
     * @param unacknowledged QoS 1/2 messages forwarded to it and not yet acknowledged
     * @param droppedLinkFull   of {@code dropped}: QoS 0 messages dropped because its link had more than
     *                          {@code cluster_link_max_queued_bytes} waiting to be sent
     * @param droppedWindowFull of {@code dropped}: QoS 1/2 messages dropped because 100,000 messages or
     *                          {@code cluster_link_max_unacked_bytes} were waiting for its acknowledgement
     * @param unacknowledgedBytes payload bytes of the {@code unacknowledged} messages
     */
    public record Link(NodeId node, int routes, boolean connected, long forwardedOut, long forwardedIn, long resent,
                       long duplicates, long dropped, long unacknowledged, long droppedLinkFull, long droppedWindowFull,
                       long unacknowledgedBytes) {
        /** Without the drops by reason and the unacknowledged bytes (zero). */
        public Link(NodeId node, int routes, boolean connected, long forwardedOut, long forwardedIn, long resent,
                    long duplicates, long dropped, long unacknowledged) {
            this(node, routes, connected, forwardedOut, forwardedIn, resent, duplicates, dropped, unacknowledged, 0, 0, 0);
        }
    }

    /** How many members are in the view now, this node included. */
    public int membersUp() {
        return (int) members.stream().filter(Member::up).count();
    }

    /** Whether this node is the Raft leader. */
    public boolean isLeader() {
        return self.equals(leader);
    }
}
