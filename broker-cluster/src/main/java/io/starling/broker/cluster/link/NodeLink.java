package io.starling.broker.cluster.link;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.starling.broker.cluster.NodeId;
import io.starling.broker.core.RateLimitedLog;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.routing.RemoteNode;
import io.starling.mqtt.codec.QoS;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's sending side towards one other node: the {@link RemoteNode} the route table enters in
 * the subscription tree for each of that node's filters, and the store-and-forward state of its link.
 *
 * <p>QoS 0 is sent if the link is up, else dropped and counted. QoS 1/2 gets the next sequence number
 * and is kept (one message reference) until the receiver acknowledges it; when the link comes back
 * every kept message is sent again, in order, before anything new, and the receiver drops what it
 * had routed already ({@link Duplicates}). At most {@link #MAX_UNACKED} messages wait; past that a
 * message is dropped and counted, so that a node that stops acknowledging cannot exhaust the memory
 * of the others.
 *
 * <p>Durability: what waits here is in memory only. The publisher's PUBACK/PUBREC waits for its own
 * node's store, as on a single node, not for the other nodes; if this node dies, the messages not yet
 * acknowledged by the receiver are lost for the receiver's sessions (docs/cluster.md).
 *
 * <p>Threading: {@link #forward} runs on any publisher's loop, the link events on the link channel's
 * loop; the sequence, the kept messages and the channel are guarded by this object's lock, and frames
 * are written under it so that they leave in sequence order. Lock order: this, then nothing. Writes
 * carry no void promise: a write to a link that is closing fails quietly (the message waits for the
 * next connection), rather than as one exception per frame in the pipeline.
 */
final class NodeLink implements RemoteNode {
    /** Unacknowledged QoS 1/2 messages kept per link; more are dropped and counted. */
    static final int MAX_UNACKED = 100_000;
    private static final Logger LOG = LoggerFactory.getLogger(NodeLink.class);
    private static final RateLimitedLog DROP_LOG = new RateLimitedLog(10);

    private final NodeId node;
    private final LinkCodec codec;
    private final LinkCounters counters;
    /**
     * This node's sequence numbers, shared by all its links: a link made again for a node that was gone
     * and came back (same incarnation of this node) goes on above the numbers the receiver has seen,
     * which it would otherwise take for resends. Taken under this link's lock, so increasing on each link.
     */
    private final java.util.concurrent.atomic.AtomicLong sequence;
    /** Sent or waiting to be sent, by sequence number, in order; each holds a message reference. */
    private final Map<Long, LinkFrame.Publish> unacked = new LinkedHashMap<>();
    /** The connection after both HELLOs, or null while there is none. */
    private Channel channel;
    private boolean gone;
    /** Where the node's link port is; null until the wiring says ({@link NodeLinks#nodeAt}). */
    volatile java.net.InetSocketAddress address;
    /** Whether a connection is being made or is open: from connect() to its close, on any loop. */
    final java.util.concurrent.atomic.AtomicBoolean connecting = new java.util.concurrent.atomic.AtomicBoolean();

    NodeLink(NodeId node, LinkCodec codec, LinkCounters counters, java.util.concurrent.atomic.AtomicLong sequence) {
        this.node = node;
        this.codec = codec;
        this.counters = counters;
        this.sequence = sequence;
    }

    NodeId node() {
        return node;
    }

    @Override
    public void forward(Message message, Targets targets) {
        synchronized (this) {
            if (message.qos() == QoS.AT_MOST_ONCE) {
                if (channel == null || !channel.isWritable()) { // no queue for QoS 0: it is never sent again
                    counters.droppedNoLink.increment();
                    DROP_LOG.warn(LOG, "No link to node {}, or its link is full: QoS 0 messages for its subscribers are dropped.", node);
                    return;
                }
                counters.forwardedOut.increment();
                channel.writeAndFlush(frame(new LinkFrame.Publish(LinkFrame.Publish.UNSEQUENCED, message, targets)));
                return;
            }
            if (gone) {
                counters.droppedNodeGone.increment();
                return;
            }
            if (unacked.size() >= MAX_UNACKED) {
                counters.droppedWindowFull.increment();
                DROP_LOG.warn(LOG, "Node {} has {} messages unacknowledged: QoS 1/2 messages for its subscribers are dropped.",
                        node, MAX_UNACKED);
                return;
            }
            long seq = sequence.incrementAndGet();
            LinkFrame.Publish kept = new LinkFrame.Publish(seq, message.retain().compacted(), targets);
            unacked.put(seq, kept);
            counters.forwardedOut.increment();
            if (channel != null) {
                // One task on the link's loop when called from another loop (a write and a flush would be two).
                channel.writeAndFlush(frame(kept));
            }
        }
    }

    /** Under the lock: the frame, encoded on the caller's thread into the link's allocator. */
    private ByteBuf frame(LinkFrame.Publish publish) {
        return codec.encode(channel.alloc(), publish);
    }

    /** Both HELLOs are through: sends again what waits, then takes new messages. On the channel's loop. */
    void connected(Channel ch) {
        int resent;
        synchronized (this) {
            if (gone) {
                ch.close();
                return;
            }
            channel = ch;
            for (LinkFrame.Publish p : unacked.values()) {
                ch.write(frame(p));
                counters.resent.increment();
            }
            ch.flush();
            resent = unacked.size();
        }
        LOG.info("Link to node {} is up ({} messages sent again).", node, resent);
    }

    /** The connection closed; what was not acknowledged waits for the next one. */
    void disconnected(Channel ch) {
        synchronized (this) {
            if (channel != ch) {
                return;
            }
            channel = null;
        }
        LOG.info("Link to node {} is down.", node);
    }

    /** The receiver routed message {@code seq}. */
    void acked(long seq) {
        LinkFrame.Publish p;
        synchronized (this) {
            p = unacked.remove(seq);
        }
        if (p != null) {
            p.message().release();
        }
    }

    /** The node left the cluster: what waits for it is dropped and counted. */
    void gone() {
        List<Message> dropped;
        Channel ch;
        synchronized (this) {
            gone = true;
            dropped = new ArrayList<>();
            unacked.values().forEach(p -> dropped.add(p.message()));
            unacked.clear();
            ch = channel;
            channel = null;
        }
        counters.droppedNodeGone.add(dropped.size());
        dropped.forEach(Message::release);
        if (ch != null) {
            ch.close();
        }
    }

    /** The current connection, or null (for tests that cut it). */
    synchronized Channel channel() {
        return channel;
    }

    synchronized boolean isGone() {
        return gone;
    }

    synchronized int unackedCount() {
        return unacked.size();
    }

    @Override
    public String toString() {
        return "RemoteNode[" + node + "]";
    }
}
