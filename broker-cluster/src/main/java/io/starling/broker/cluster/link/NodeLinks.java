package io.starling.broker.cluster.link;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.starling.broker.cluster.NodeId;
import io.starling.broker.config.ClusterSettings;
import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.routing.RemoteNode;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

/**
 * This node's links to the other nodes of the cluster, over TCP on the broker's own event loops:
 * a server on {@code cluster_link_port} that receives what the others forward, and one outgoing
 * connection to each other node that carries what this node forwards to it (so each direction of a
 * pair of nodes has its own connection). Frames: {@link LinkCodec}.
 *
 * <p>The API for the wiring (membership and the route table), all thread-safe:
 * <ul>
 *   <li>{@link #start} with this node's id and incarnation, its core (router, clock, store), the
 *       broker's loops, and the link port to listen on;</li>
 *   <li>{@link #nodeAt}: node X's link port is at host:port (connects, and connects again after
 *       every drop, every {@link #RECONNECT_DELAY_MS} ms);</li>
 *   <li>{@link #remoteNode}: the {@link RemoteNode} to enter in the subscription tree for node X's
 *       filters (the same object until X is gone);</li>
 *   <li>{@link #nodeGone}: X left the cluster (its link closes; what still waited for it is dropped
 *       and counted);</li>
 *   <li>{@link #counters}: forwarded out/in, resent, duplicates and drops per node.</li>
 * </ul>
 */
public final class NodeLinks implements AutoCloseable {
    /** The pause before connecting again after a link dropped or a connection failed. */
    public static final long RECONNECT_DELAY_MS = 200;

    private final NodeId self;
    private final long incarnation;
    private final BrokerCore core;
    private final LinkCodec codec;
    private final LinkLoops loops;
    private final Duplicates duplicates = new Duplicates();
    private final LinkHolds holds = new LinkHolds();
    /** The sequence numbers of every link of this node (see {@link NodeLink}); the first is 1. */
    private final java.util.concurrent.atomic.AtomicLong sequence = new java.util.concurrent.atomic.AtomicLong();
    private final Map<NodeId, NodeLink> links = new ConcurrentHashMap<>();
    private final Map<NodeId, LinkCounters> counters = new ConcurrentHashMap<>();
    private final ChannelGroup channels = new DefaultChannelGroup("cluster-links", GlobalEventExecutor.INSTANCE);
    private final Bootstrap bootstrap;
    private final Channel server;
    private volatile boolean closed;
    /** Mutual TLS on every link (cluster_tls_*), or null for plain TCP. */
    private final SSLContext tls;
    private final ClusterSettings.Limits limits;

    private NodeLinks(NodeId self, long incarnation, BrokerCore core, LinkLoops loops,
                      InetSocketAddress bind, SSLContext tls, ClusterSettings.Limits limits) throws InterruptedException {
        this.self = Objects.requireNonNull(self);
        this.incarnation = incarnation;
        this.core = Objects.requireNonNull(core);
        this.codec = new LinkCodec(core.clock());
        this.loops = loops;
        this.tls = tls;
        this.limits = Objects.requireNonNull(limits);
        // Before the server accepts a link: resends of what was routed before a restart are duplicates.
        duplicates.restore(core.store().linkSequences());
        // The outgoing connection's write buffer is the QoS 0 queue of the link (NodeLink): unwritable above
        // the bound (frames written from other loops count from their submission), writable below half.
        this.bootstrap = new Bootstrap().group(loops.group()).channel(loops.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(limits.linkMaxQueuedBytes() / 2, limits.linkMaxQueuedBytes()));
        ChannelFuture bound = new ServerBootstrap().group(loops.group()).channel(loops.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        channels.add(ch);
                        if (tls != null) {
                            SSLEngine engine = tls.createSSLEngine();
                            engine.setUseClientMode(false);
                            engine.setNeedClientAuth(true); // only members with a certificate of the cluster's CA
                            ch.pipeline().addLast(new SslHandler(engine));
                        }
                        ch.pipeline().addLast(frameDecoder(), new LinkReceiver(NodeLinks.this));
                    }
                })
                .bind(bind).sync();
        this.server = bound.channel();
        channels.add(server);
    }

    /**
     * Listens on {@code bind} (port 0: any free port, see {@link #address()}).
     *
     * @param incarnation different at every start of this node (e.g. the start time in milliseconds), so
     *                    that the other nodes know its sequence numbers started again
     */
    public static NodeLinks start(NodeId self, long incarnation, BrokerCore core, LinkLoops loops,
                                  InetSocketAddress bind) throws InterruptedException {
        return start(self, incarnation, core, loops, bind, null);
    }

    /**
     * As {@link #start(NodeId, long, BrokerCore, LinkLoops, InetSocketAddress)}, with mutual TLS on every
     * link: {@code tls} (the members' context, {@code cluster_tls_*}) gives this node's certificate and
     * trusts only the cluster's CA, both ways; null for plain TCP.
     */
    public static NodeLinks start(NodeId self, long incarnation, BrokerCore core, LinkLoops loops,
                                  InetSocketAddress bind, SSLContext tls) throws InterruptedException {
        return start(self, incarnation, core, loops, bind, tls, ClusterSettings.Limits.DEFAULTS);
    }

    /** As {@link #start(NodeId, long, BrokerCore, LinkLoops, InetSocketAddress, SSLContext)}, with the links' byte bounds. */
    public static NodeLinks start(NodeId self, long incarnation, BrokerCore core, LinkLoops loops,
                                  InetSocketAddress bind, SSLContext tls, ClusterSettings.Limits limits) throws InterruptedException {
        return new NodeLinks(self, incarnation, core, loops, bind, tls, limits);
    }

    /** The address the link server listens on. */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    public NodeId self() {
        return self;
    }

    /** Node {@code node}'s link port is at {@code address}: connects (again, if it moved). */
    public RemoteNode nodeAt(NodeId node, InetSocketAddress address) {
        NodeLink link = link(node);
        InetSocketAddress before = link.address;
        link.address = Objects.requireNonNull(address);
        if (before != null && !before.equals(address)) {
            Channel ch = link.channel();
            if (ch != null) {
                ch.close(); // connects to the new address from channelInactive
            }
        }
        connect(link);
        return link;
    }

    /**
     * The subscriber that stands for {@code node} in the subscription tree. Messages for it wait (QoS
     * 1/2) or are dropped (QoS 0) until {@link #nodeAt} says where it is.
     */
    public RemoteNode remoteNode(NodeId node) {
        return link(node);
    }

    /**
     * A session moved from this node to {@code node}: for {@code window}, what other nodes forward here for
     * their ordinary subscriptions and did not send to {@code node} too is passed on to it
     * ({@link RemoteNode#relaysForMovedSessions}), since they may not know of the move yet.
     */
    public void relayForMovedSessions(NodeId node, java.time.Duration window) {
        link(node).relayForMovedSessions(window);
    }

    /** {@code node} left the cluster: closes its link and drops (and counts) what waited for it. */
    public void nodeGone(NodeId node) {
        NodeLink link = links.remove(node);
        if (link != null) {
            link.gone();
        }
    }

    /** The counters of what crossed the links to and from {@code node} (zero for a node never seen). */
    public LinkCounters counters(NodeId node) {
        return counters.computeIfAbsent(node, n -> new LinkCounters());
    }

    /**
     * Closes the current connection to {@code node}, as a network failure would; it connects again.
     * For tests (and an operator's "reset link"). Returns whether there was one.
     */
    public boolean dropLink(NodeId node) {
        NodeLink link = links.get(node);
        Channel ch = link == null ? null : link.channel();
        if (ch == null) {
            return false;
        }
        ch.close();
        return true;
    }

    /** Whether the link to {@code node} is connected (both HELLOs through). */
    public boolean isConnected(NodeId node) {
        NodeLink link = links.get(node);
        return link != null && link.channel() != null;
    }

    /** QoS 1/2 messages forwarded to {@code node} and not yet acknowledged by it. */
    public int unacknowledged(NodeId node) {
        NodeLink link = links.get(node);
        return link == null ? 0 : link.unackedCount();
    }

    /** The payload bytes of the QoS 1/2 messages forwarded to {@code node} and not yet acknowledged by it. */
    public long unacknowledgedBytes(NodeId node) {
        NodeLink link = links.get(node);
        return link == null ? 0 : link.unackedBytes();
    }

    private NodeLink link(NodeId node) {
        if (node.equals(self)) {
            throw new IllegalArgumentException("no link from a node to itself: " + node);
        }
        return links.computeIfAbsent(node, n -> new NodeLink(n, codec, counters(n), sequence, limits));
    }

    private void connect(NodeLink link) {
        if (closed || link.isGone() || link.address == null || !link.connecting.compareAndSet(false, true)) {
            return;
        }
        bootstrap.clone().handler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                channels.add(ch);
                if (tls != null) {
                    SSLEngine engine = tls.createSSLEngine(link.address.getHostString(), link.address.getPort());
                    engine.setUseClientMode(true);
                    ch.pipeline().addLast(new SslHandler(engine));
                }
                ch.pipeline().addLast(frameDecoder(), new LinkSender(NodeLinks.this, link));
            }
        }).connect(link.address).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                reconnectLater(link); // the node may not listen yet
            }
        });
    }

    /** After a connection to {@code link}'s node closed or failed. */
    void reconnectLater(NodeLink link) {
        link.connecting.set(false);
        if (!closed && !link.isGone()) {
            loops.group().next().schedule(() -> connect(link), RECONNECT_DELAY_MS, TimeUnit.MILLISECONDS);
        }
    }

    private static LengthFieldBasedFrameDecoder frameDecoder() {
        return new LengthFieldBasedFrameDecoder(LinkCodec.MAX_FRAME_BYTES, 0, 4, 0, 4);
    }

    LinkCodec codec() {
        return codec;
    }

    LinkFrame.Hello hello() {
        return new LinkFrame.Hello(self, incarnation);
    }

    BrokerCore core() {
        return core;
    }

    Duplicates duplicates() {
        return duplicates;
    }

    LinkLoops loops() {
        return loops;
    }

    LinkHolds holds() {
        return holds;
    }

    /**
     * Holds what {@code origin} forwards to this node (its frames wait, unread and unacknowledged, in
     * order) until the returned release runs: a session moving here from {@code origin} (see
     * {@code SessionTakeover}). Releasing twice is harmless.
     */
    public Runnable holdFrom(NodeId origin) {
        return holds.hold(origin);
    }

    /** Stops listening and connecting, closes every link, and drops what waited (the broker is stopping). */
    @Override
    public void close() {
        closed = true;
        for (NodeId node : links.keySet()) {
            nodeGone(node);
        }
        channels.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
}
