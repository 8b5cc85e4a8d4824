package io.starling.broker.cluster.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.starling.broker.cluster.LeakReports;
import io.starling.broker.cluster.NodeId;
import io.starling.broker.config.ClusterSettings;
import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.BrokerSettings;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.routing.RemoteNode;
import io.starling.broker.core.time.Clock;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.QoS;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A receiving node that stops reading its link (autoRead off, as a stalled or overloaded node) and
 * then resumes: QoS 0 messages wait in the link's byte-bounded queue (cluster_link_max_queued_bytes)
 * and arrive once it reads again; only what passes the bound is dropped, and counted. QoS 1/2 for it
 * is kept up to cluster_link_max_unacked_bytes of payload; past that it is dropped and counted.
 */
@ExtendWith(LeakReports.class)
class LinkStallTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int MESSAGES = 8192;
    private static final int PAYLOAD = 1024;
    private static final NodeId B = new NodeId("b");

    private final NioEventLoopGroup group = new NioEventLoopGroup(2);
    private final BrokerCore core = new BrokerCore(BrokerSettings.defaults());
    private final LinkCodec codec = new LinkCodec(Clock.SYSTEM);
    private final AtomicInteger received = new AtomicInteger();
    private volatile Channel receiving;
    private Channel receiver;
    private NodeLinks links;

    @AfterEach
    void tearDown() {
        if (links != null) {
            links.close();
        }
        if (receiver != null) {
            receiver.close().syncUninterruptibly();
        }
        core.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void qos0ToAStalledNode_waitsInTheLinkQueueAndArrivesWhenItReadsAgain() throws Exception {
        LinkCounters counters = stalledLink(limits(32 << 20));

        Message m = message();
        for (int i = 0; i < MESSAGES; i++) {
            links.remoteNode(B).forward(m, RemoteNode.Targets.ORDINARY);
        }
        m.release();

        assertThat(counters.droppedLinkFull.sum()).isZero();
        assertThat(counters.droppedNoLink.sum()).isZero();
        assertThat(received.get()).as("the receiver is stalled").isLessThan(MESSAGES);
        receiving.config().setAutoRead(true);
        await("all received", () -> received.get() == MESSAGES);
        assertThat(counters.forwardedOut.sum()).isEqualTo(MESSAGES);
    }

    @Test
    void qos0PastTheLinkQueueBound_isDroppedAndCounted_theRestArrives() throws Exception {
        LinkCounters counters = stalledLink(limits(256 << 10));

        Message m = message();
        for (int i = 0; i < MESSAGES; i++) {
            links.remoteNode(B).forward(m, RemoteNode.Targets.ORDINARY);
        }
        m.release();

        long dropped = counters.droppedLinkFull.sum();
        assertThat(dropped).isPositive();
        assertThat(counters.dropped()).isEqualTo(dropped);
        receiving.config().setAutoRead(true);
        await("the rest received", () -> received.get() == MESSAGES - dropped);
        assertThat(counters.forwardedOut.sum()).isEqualTo(MESSAGES - dropped);
    }

    @Test
    void qos1ToAStalledNode_isKeptUpToTheUnacknowledgedBytes_theRestDroppedAndCounted() throws Exception {
        ClusterSettings.Limits d = ClusterSettings.Limits.DEFAULTS;
        LinkCounters counters = stalledLink(new ClusterSettings.Limits(d.linkMaxQueuedBytes(), 1 << 20,
                d.maxHeldRoutesPerNode(), d.maxHeldRoutes()));

        for (int i = 0; i < MESSAGES; i++) { // 8 MiB of payload, each message a buffer of its own
            Message m = message(QoS.AT_LEAST_ONCE);
            links.remoteNode(B).forward(m, RemoteNode.Targets.ORDINARY);
            m.release();
        }

        int kept = (1 << 20) / PAYLOAD;
        assertThat(links.unacknowledged(B)).isEqualTo(kept);
        assertThat(links.unacknowledgedBytes(B)).isEqualTo(1 << 20);
        assertThat(counters.droppedWindowFull.sum()).isEqualTo(MESSAGES - kept);
        receiving.config().setAutoRead(true);
        await("the kept ones received and acknowledged", () -> received.get() == kept && links.unacknowledged(B) == 0);
        assertThat(links.unacknowledgedBytes(B)).isZero();
    }

    /** Node a's links, connected to a receiver for node b that answers HELLO and then stops reading. */
    private LinkCounters stalledLink(ClusterSettings.Limits limits) throws Exception {
        receiver = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_RCVBUF, 4096)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(LinkCodec.MAX_FRAME_BYTES, 0, 4, 0, 4),
                                new StallingReceiver());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        links = NodeLinks.start(new NodeId("a"), 1, core,
                new LinkLoops(group, NioServerSocketChannel.class, NioSocketChannel.class, List.of()),
                new InetSocketAddress("127.0.0.1", 0), null, limits);
        links.nodeAt(B, (InetSocketAddress) receiver.localAddress());
        await("link up and the receiver stalled", () -> links.isConnected(B) && receiving != null);
        return links.counters(B);
    }

    private static ClusterSettings.Limits limits(int maxQueuedBytes) {
        ClusterSettings.Limits d = ClusterSettings.Limits.DEFAULTS;
        return new ClusterSettings.Limits(maxQueuedBytes, d.linkMaxUnackedBytes(), d.maxHeldRoutesPerNode(), d.maxHeldRoutes());
    }

    private final class StallingReceiver extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            ByteBuf bytes = (ByteBuf) msg;
            LinkFrame frame;
            try {
                frame = codec.decode(bytes);
            } finally {
                bytes.release();
            }
            if (frame instanceof LinkFrame.Hello) {
                ctx.channel().config().setAutoRead(false); // stalls from here on, until the test resumes it
                ctx.writeAndFlush(codec.encode(ctx.alloc(), new LinkFrame.Hello(B, 1)));
                receiving = ctx.channel();
                return;
            }
            LinkReceiver.release(frame);
            received.incrementAndGet();
            if (frame instanceof LinkFrame.Publish p && p.seq() != LinkFrame.Publish.UNSEQUENCED) {
                ctx.writeAndFlush(codec.encode(ctx.alloc(), new LinkFrame.Ack(p.seq())));
            }
        }
    }

    private static Message message() {
        return message(QoS.AT_MOST_ONCE);
    }

    private static Message message(QoS qos) {
        return new Message("t", qos, false, PooledByteBufAllocator.DEFAULT.buffer().writeZero(PAYLOAD),
                Properties.EMPTY, "p", Message.NEVER_EXPIRES);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(10);
        }
    }
}
