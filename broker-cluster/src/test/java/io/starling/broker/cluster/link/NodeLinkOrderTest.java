package io.starling.broker.cluster.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.starling.broker.cluster.LeakReports;
import io.starling.broker.cluster.NodeId;
import io.starling.broker.config.ClusterSettings;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.routing.RemoteNode;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.QoS;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The order in which a link's frames leave: the receiver takes a sequence number at or below the highest
 * it routed for a resend ({@link Duplicates}), so a frame that overtakes an earlier one loses the earlier.
 */
@ExtendWith(LeakReports.class)
class NodeLinkOrderTest {
    private final DefaultEventLoopGroup loops = new DefaultEventLoopGroup(1);
    /** One fake clock for both ends: the frames' time left is checked against it. */
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final LinkCodec codec = new LinkCodec(nanos::get);
    private final BlockingQueue<Long> received = new LinkedBlockingQueue<>();
    private final BlockingQueue<Long> expiryLeft = new LinkedBlockingQueue<>();
    private final NodeLink link = new NodeLink(new NodeId("b"), codec, new LinkCounters(), new AtomicLong(),
            ClusterSettings.Limits.DEFAULTS);
    private final List<Channel> channels = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        link.gone();
        for (Channel c : channels) {
            c.close().sync();
        }
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private static Message message(QoS qos, String topic) {
        return new Message(topic, qos, false, PooledByteBufAllocator.DEFAULT.buffer().writeByte(1), Properties.EMPTY, "p",
                Message.NEVER_EXPIRES);
    }

    /** A connection whose other end records each frame's sequence number and time left. */
    private Channel connect() throws Exception {
        LocalAddress address = new LocalAddress("node-link-order-" + System.nanoTime());
        channels.add(new ServerBootstrap().group(loops).channel(LocalServerChannel.class)
                .childHandler(new ChannelInitializer<LocalChannel>() {
                    @Override
                    protected void initChannel(LocalChannel ch) {
                        channels.add(ch);
                        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(LinkCodec.MAX_FRAME_BYTES, 0, 4, 0, 4),
                                new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
                                        ByteBuf bytes = (ByteBuf) msg;
                                        try {
                                            LinkFrame.Publish p = (LinkFrame.Publish) codec.decode(bytes);
                                            received.add(p.seq());
                                            expiryLeft.add(p.message().expiryAtNanos() == Message.NEVER_EXPIRES ? -1
                                                    : p.message().expiryAtNanos() - nanos.get());
                                            p.message().release();
                                        } finally {
                                            bytes.release();
                                        }
                                    }
                                });
                    }
                }).bind(address).sync().channel());
        Channel ch = new Bootstrap().group(loops).channel(LocalChannel.class).handler(new ChannelInboundHandlerAdapter())
                .connect(address).sync().channel();
        channels.add(ch);
        return ch;
    }

    @Test
    void aForwardOnTheLinksOwnLoop_doesNotOvertakeOneAnotherLoopMadeJustBefore() throws Exception {
        Channel ch = connect();
        ch.eventLoop().submit(() -> link.connected(ch)).sync();
        Message first = message(QoS.AT_LEAST_ONCE, "first");
        Message second = message(QoS.AT_LEAST_ONCE, "second");

        ch.eventLoop().submit(() -> {
            // Another loop (a publisher's) forwards first: its frame has to wait for this loop...
            Thread other = new Thread(() -> link.forward(first, RemoteNode.Targets.ORDINARY));
            other.start();
            other.join();
            // ...then this loop forwards the next one.
            link.forward(second, RemoteNode.Targets.ORDINARY);
            return null;
        }).sync();

        assertThat(List.of(received.poll(10, TimeUnit.SECONDS), received.poll(10, TimeUnit.SECONDS)))
                .containsExactly(1L, 2L);
        first.release();
        second.release();
    }

    @Test
    void aMessageThatWaitedForTheLink_leavesWithOnlyTheExpiryTimeItHasLeft() throws Exception {
        Message m = new Message("t", QoS.AT_LEAST_ONCE, false, PooledByteBufAllocator.DEFAULT.buffer().writeByte(1),
                Properties.EMPTY, "p", nanos.get() + TimeUnit.SECONDS.toNanos(30));
        link.forward(m, RemoteNode.Targets.ORDINARY); // no connection yet: it waits
        m.release();
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(10));

        Channel ch = connect();
        ch.eventLoop().submit(() -> link.connected(ch)).sync();

        assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo(1L);
        assertThat(expiryLeft.poll(10, TimeUnit.SECONDS)).isEqualTo(TimeUnit.SECONDS.toNanos(20));
    }
}
