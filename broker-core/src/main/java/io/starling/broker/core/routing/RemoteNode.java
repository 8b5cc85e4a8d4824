package io.starling.broker.core.routing;

/**
 * A subscriber that stands for another node of a cluster: the route table enters one per (node,
 * filter the node has subscribers on), so a topic matches a remote node as it matches a session.
 * Core knows nothing else of clusters; the cluster module implements this.
 *
 * <p>(The minimum the route table needs. The node links bring the version {@code Router} forwards
 * through; the two are to be reconciled into one.)
 */
public interface RemoteNode extends Subscriber {
    /** The node's id ({@code cluster_node_id}). */
    String node();

    /**
     * Sends {@code message} to the node, which routes it to its local sessions only. Takes no
     * reference of the caller's; the implementation retains what it keeps.
     */
    void forward(Message message);
}
