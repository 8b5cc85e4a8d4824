package io.starling.broker.cluster.link;

import io.starling.broker.cluster.NodeId;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.routing.RemoteNode;
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
     * One message as its publisher sent it, forwarded for the receiver's local sessions: their ordinary
     * subscriptions and/or one member of each named shared subscription group ({@code targets}).
     *
     * @param seq its sequence number, increasing on each link of one incarnation of the sender (from 1,
     *            with gaps: the sender numbers all its links from one counter), or {@link #UNSEQUENCED}
     *            for QoS 0, which is neither acknowledged nor sent again
     * @param message owned by whoever holds the decoded frame; released by it
     * @param targets what the receiver delivers it to
     */
    record Publish(long seq, Message message, RemoteNode.Targets targets) implements LinkFrame {
        public static final long UNSEQUENCED = 0;

        public Publish {
            Objects.requireNonNull(message);
            Objects.requireNonNull(targets);
        }

        /** For the receiver's ordinary subscriptions only. */
        public Publish(long seq, Message message) {
            this(seq, message, RemoteNode.Targets.ORDINARY);
        }
    }

    /** The receiver routed the message of this sequence number to its sessions (or had done so before). */
    record Ack(long seq) implements LinkFrame {
    }
}
