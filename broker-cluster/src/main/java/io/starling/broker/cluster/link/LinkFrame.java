package io.starling.broker.cluster.link;

import io.starling.broker.cluster.NodeId;
import io.starling.broker.core.routing.Message;
import java.util.Objects;

/**
 * What travels on a node link ({@link LinkCodec} has the bytes). A link is one TCP connection from
 * the sending node to the receiving node's {@code cluster_link_port}: the sender says {@link Hello},
 * the receiver answers {@link Hello}, then the sender sends {@link Publish} frames and the receiver
 * answers each QoS 1/2 one with an {@link Ack}.
 */
public sealed interface LinkFrame permits LinkFrame.Hello, LinkFrame.Publish, LinkFrame.Ack {

    /**
     * Who is at this end of the link. The incarnation changes at every start of the node, so that
     * the receiver knows sequence numbers started again.
     */
    record Hello(NodeId node, long incarnation) implements LinkFrame {
        public Hello {
            Objects.requireNonNull(node);
        }
    }

    /**
     * One message as its publisher sent it, forwarded for the receiver's local sessions.
     *
     * @param seq its sequence number, increasing on each link of one incarnation of the sender (from 1,
     *            with gaps: the sender numbers all its links from one counter), or {@link #UNSEQUENCED}
     *            for QoS 0, which is neither acknowledged nor sent again
     * @param message owned by whoever holds the decoded frame; released by it
     */
    record Publish(long seq, Message message) implements LinkFrame {
        public static final long UNSEQUENCED = 0;

        public Publish {
            Objects.requireNonNull(message);
        }
    }

    /** The receiver routed the message of this sequence number to its sessions (or had done so before). */
    record Ack(long seq) implements LinkFrame {
    }
}
