package io.starling.broker.cluster.link;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.starling.broker.cluster.NodeId;
import io.starling.broker.config.ClusterSettings;
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
 * <p>QoS 0 is written to the link if it is up and its connection has less than
 * {@link ClusterSettings.Limits#linkMaxQueuedBytes()} waiting to be sent (the write buffer's high-water mark: a
 * stall of the receiver is absorbed up to that many bytes), else dropped and counted. QoS 1/2 gets the
 * next sequence number and is kept (one message reference) until the receiver acknowledges it; when
 * the link comes back every kept message is sent again, in order, before anything new, and the
 * receiver drops what it had routed already ({@link Duplicates}). At most {@link #MAX_UNACKED}
 * messages and {@link ClusterSettings.Limits#linkMaxUnackedBytes()} payload bytes wait; past that a message is dropped
 * for this node and counted (its publisher was acknowledged by its own node, as on one node when a
 * subscriber's queue is full), so that a node that stops acknowledging cannot exhaust the memory of
 * the others. Memory per link is thus bounded by the kept payloads plus their frames not yet taken by
 * the socket (at most the kept ones again) plus the QoS 0 frames under the high-water mark.
 *
 * <p>Durability: what waits here is in memory only. The publisher's PUBACK/PUBREC waits for its own
 * node's store, as on a single node, not for the other nodes; if this node dies, the messages not yet
 * acknowledged by the receiver are lost for the receiver's sessions (docs/cluster.md).
 *
 * <p>Threading: {@link #forward} runs on any publisher's loop, the link events on the link channel's
 * loop; the sequence, the kept messages and the channel are guarded by this object's lock, and frames
 * are queued under it and written by the channel's loop in that order, so that they leave in sequence order. Lock order: this, then nothing. Writes
 * carry no void promise: a write to a link that is closing fails quietly (the message waits for the
 * next connection), rather than as one exception per frame in the pipeline.
 */
final class NodeLink implements RemoteNode {
    /** Unacknowledged QoS 1/2 messages kept per link; more are dropped and counted. */
    static final int MAX_UNACKED = 100_000;
    private static final Logger LOG = LoggerFactory.getLogger(NodeLink.class);

    private final NodeId node;
    private final LinkCodec codec;
    private final LinkCounters counters;
    /** One warning per 10 s per link and reason: a drop of one kind does not hide another. */
    private final RateLimitedLog noLinkLog = new RateLimitedLog(10);
    private final RateLimitedLog linkFullLog = new RateLimitedLog(10);
    private final RateLimitedLog windowFullLog = new RateLimitedLog(10);
    private final ClusterSettings.Limits limits;
    /**
     * This node's sequence numbers, shared by all its links: a link made again for a node that was gone
     * and came back (same incarnation of this node) goes on above the numbers the receiver has seen,
     * which it would otherwise take for resends. Taken under this link's lock, so increasing on each link.
     */
    private final java.util.concurrent.atomic.AtomicLong sequence;
    /** Sent or waiting to be sent, by sequence number, in order; each holds a message reference. */
    private final Map<Long, LinkFrame.Publish> unacked = new LinkedHashMap<>();
    /** Frames encoded under the lock and not yet written to {@link #channel}, in the order they must leave. */
    private final List<ByteBuf> outgoing = new ArrayList<>();
    /** The bytes of {@link #outgoing}: not yet in the channel's buffer, so not in its writability. */
    private long outgoingBytes;
    /** A task on the channel's loop will write {@link #outgoing}. */
    private boolean writeScheduled;
    /** The payload bytes of {@link #unacked}. */
    private long unackedBytes;
    /** The connection after both HELLOs, or null while there is none. */
    private Channel channel;
    private boolean gone;
    /** Where the node's link port is; null until the wiring says ({@link NodeLinks#nodeAt}). */
    volatile java.net.InetSocketAddress address;
    /** Whether a connection is being made or is open: from connect() to its close, on any loop. */
    final java.util.concurrent.atomic.AtomicBoolean connecting = new java.util.concurrent.atomic.AtomicBoolean();

    NodeLink(NodeId node, LinkCodec codec, LinkCounters counters, java.util.concurrent.atomic.AtomicLong sequence,
             ClusterSettings.Limits limits) {
        this.node = node;
        this.codec = codec;
        this.counters = counters;
        this.limits = limits;
        this.sequence = sequence;
    }

    NodeId node() {
        return node;
    }

    @Override
    public String name() {
        return node.name();
    }

    /** Until when messages forwarded here are relayed to that node (see {@link #relaysForMovedSessions}); 0: never. */
    private volatile long relayUntilNanos;

    /** A session moved from this node to that one: relay for {@code window} from now. */
    void relayForMovedSessions(java.time.Duration window) {
        long until = System.nanoTime() + window.toNanos();
        relayUntilNanos = until == 0 ? 1 : until;
    }

    @Override
    public boolean relaysForMovedSessions() {
        long until = relayUntilNanos;
        return until != 0 && System.nanoTime() - until < 0;
    }

    @Override
    public void forward(Message message, Targets targets) {
        synchronized (this) {
            if (message.qos() == QoS.AT_MOST_ONCE) {
                if (channel == null) { // QoS 0 is never sent again: nothing waits for the next connection
                    counters.droppedNoLink.increment();
                    noLinkLog.warn(LOG, "No link to node {}: QoS 0 messages for its subscribers are dropped.", node);
                    return;
                }
                if (!channel.isWritable() || outgoingBytes >= channel.bytesBeforeUnwritable()) { // above cluster_link_max_queued_bytes
                    counters.droppedLinkFull.increment();
                    linkFullLog.warn(LOG, "The link to node {} has more than {} bytes waiting to be sent: QoS 0 messages "
                            + "for its subscribers are dropped.", node, limits.linkMaxQueuedBytes());
                    return;
                }
                counters.forwardedOut.increment();
                send(frame(new LinkFrame.Publish(LinkFrame.Publish.UNSEQUENCED, message, targets)));
                return;
            }
            if (gone) {
                counters.droppedNodeGone.increment();
                return;
            }
            if (unacked.size() >= MAX_UNACKED || unackedBytes + message.payloadSize() > limits.linkMaxUnackedBytes()) {
                counters.droppedWindowFull.increment();
                windowFullLog.warn(LOG, "Node {} has {} messages ({} payload bytes) unacknowledged, at most {} messages and {} "
                                + "bytes wait: QoS 1/2 messages for its subscribers are dropped.", node, unacked.size(),
                        unackedBytes, MAX_UNACKED, limits.linkMaxUnackedBytes());
                return;
            }
            long seq = sequence.incrementAndGet();
            LinkFrame.Publish kept = new LinkFrame.Publish(seq, message.retain().compacted(), targets);
            unacked.put(seq, kept);
            unackedBytes += message.payloadSize();
            counters.forwardedOut.increment();
            if (channel != null) {
                send(frame(kept));
            }
        }
    }

    /**
     * Under the lock, with a channel: queues {@code frame} behind the others and has them written, in the
     * order they were queued, on the channel's loop. Not {@code channel.writeAndFlush}: called on the
     * channel's loop it writes at once, overtaking a frame another loop queued a moment before as a task,
     * and the receiver takes a number below the highest it routed for a resend ({@link Duplicates}): a
     * QoS 1/2 message lost.
     */
    private void send(ByteBuf frame) {
        outgoing.add(frame);
        outgoingBytes += frame.readableBytes();
        if (channel.eventLoop().inEventLoop()) {
            writeOutgoing(channel);
        } else if (!writeScheduled) {
            writeScheduled = true;
            Channel ch = channel;
            ch.eventLoop().execute(() -> {
                synchronized (this) {
                    writeScheduled = false;
                    if (channel == ch) {
                        writeOutgoing(ch);
                    }
                }
            });
        }
    }

    /** Under the lock, on {@code ch}'s loop: writes the queued frames in order, one flush. */
    private void writeOutgoing(Channel ch) {
        if (outgoing.isEmpty()) {
            return;
        }
        for (ByteBuf f : outgoing) {
            ch.write(f);
        }
        outgoing.clear();
        outgoingBytes = 0;
        ch.flush();
    }

    /** Under the lock, when the channel changes: frames for the old one are dropped (QoS 1/2 are sent again from {@link #unacked}). */
    private void dropOutgoing() {
        outgoing.forEach(ByteBuf::release);
        outgoing.clear();
        outgoingBytes = 0;
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
            dropOutgoing();
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
            dropOutgoing();
            channel = null;
        }
        LOG.info("Link to node {} is down.", node);
    }

    /** The receiver routed message {@code seq}. */
    void acked(long seq) {
        LinkFrame.Publish p;
        synchronized (this) {
            p = unacked.remove(seq);
            if (p != null) {
                unackedBytes -= p.message().payloadSize();
            }
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
            unackedBytes = 0;
            ch = channel;
            channel = null;
            dropOutgoing();
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

    synchronized long unackedBytes() {
        return unackedBytes;
    }

    @Override
    public String toString() {
        return "RemoteNode[" + node + "]";
    }
}
