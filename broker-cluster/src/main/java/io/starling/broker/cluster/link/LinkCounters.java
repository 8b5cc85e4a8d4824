package io.starling.broker.cluster.link;

import io.starling.broker.config.ClusterSettings;
import java.util.concurrent.atomic.LongAdder;

/**
 * What crossed the links to and from one other node, for $SYS, metrics and tests. Written from any
 * loop, so each is a {@link LongAdder}.
 */
public final class LinkCounters {
    /** Messages forwarded to the node: one per message, however many of its sessions match. */
    public final LongAdder forwardedOut = new LongAdder();
    /** Messages the node forwarded here and this node routed (duplicates not counted). */
    public final LongAdder forwardedIn = new LongAdder();
    /** QoS 1/2 messages sent again after the link came back. */
    public final LongAdder resent = new LongAdder();
    /** QoS 1/2 messages from the node that this node had routed already (a resend), dropped. */
    public final LongAdder duplicatesIn = new LongAdder();
    /** QoS 0 messages not forwarded while there was no link to the node. */
    public final LongAdder droppedNoLink = new LongAdder();
    /** QoS 0 messages not forwarded because the link had more than {@link ClusterSettings.Limits#linkMaxQueuedBytes()} to send. */
    public final LongAdder droppedLinkFull = new LongAdder();
    /**
     * QoS 1/2 messages not forwarded because {@link NodeLink#MAX_UNACKED} messages or
     * {@link ClusterSettings.Limits#linkMaxUnackedBytes()} payload bytes were waiting for the node's acknowledgement.
     */
    public final LongAdder droppedWindowFull = new LongAdder();
    /** QoS 1/2 messages still unacknowledged when the node left the cluster. */
    public final LongAdder droppedNodeGone = new LongAdder();

    /** Every message meant for the node that it will not get. */
    public long dropped() {
        return droppedNoLink.sum() + droppedLinkFull.sum() + droppedWindowFull.sum() + droppedNodeGone.sum();
    }
}
