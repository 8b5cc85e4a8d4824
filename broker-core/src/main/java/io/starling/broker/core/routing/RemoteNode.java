package io.starling.broker.core.routing;

/**
 * Another broker of a cluster, entered in the subscription tree under each filter that node's own
 * sessions subscribed to (the route table puts it there; the core does not know the cluster).
 *
 * <p>{@link Router#route} calls {@link #forward} at most once per message, however many of the node's
 * filters match, after the local deliveries; the node then routes the message to its own sessions
 * with {@link Router#routeLocal}, which never forwards again. A match on a remote node counts as a
 * match (PUBACK 0x10 is not sent).
 *
 * <p>Threading: {@link #forward} is called on the publisher's loop, from any loop, and must not block.
 */
public interface RemoteNode extends Subscriber {
    /**
     * Sends the message as published to the node. The caller keeps its reference: an implementation
     * that holds on to the message past the call takes its own with {@link Message#retain()}.
     */
    void forward(Message message);
}
