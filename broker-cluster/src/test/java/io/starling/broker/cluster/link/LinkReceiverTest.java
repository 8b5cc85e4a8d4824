package io.starling.broker.cluster.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.starling.broker.cluster.LeakReports;
import io.starling.broker.cluster.NodeId;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.routing.RemoteNode;
import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.BrokerSettings;
import io.starling.broker.core.auth.Authenticator;
import io.starling.broker.core.store.memory.InMemoryRetainedStore;
import io.starling.broker.core.store.memory.InMemorySessionStore;
import io.starling.broker.core.routing.Subscriber;
import io.starling.broker.core.routing.SubscriberOptions;
import io.starling.broker.core.time.Clock;
import io.starling.broker.core.topic.SubscriptionTree;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.SubscriptionOptions;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The receiving end of a link: bad bytes close that link only; resends are routed once. */
@ExtendWith(LeakReports.class)
class LinkReceiverTest {
    private final NioEventLoopGroup group = new NioEventLoopGroup(1);
    private final BrokerCore core = new BrokerCore(BrokerSettings.defaults());
    private final SubscriptionTree<Subscriber, SubscriberOptions> tree = core.subscriptions();
    private final List<String> routedOnward = new ArrayList<>();
    private final NodeLinks links;
    private final LinkCodec codec = new LinkCodec(Clock.SYSTEM);

    LinkReceiverTest() throws InterruptedException {
        links = NodeLinks.start(new NodeId("b"), 1, core,
                new LinkLoops(group, NioServerSocketChannel.class, NioSocketChannel.class, List.of()),
                new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterEach
    void tearDown() {
        links.close();
        core.close();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    private EmbeddedChannel link() {
        return new EmbeddedChannel(new LengthFieldBasedFrameDecoder(LinkCodec.MAX_FRAME_BYTES, 0, 4, 0, 4),
                new LinkReceiver(links));
    }

    private ByteBuf frame(LinkFrame f) {
        return codec.encode(Unpooled.buffer().alloc(), f);
    }

    private ByteBuf publish(long seq, QoS qos) {
        Message m = new Message("t", qos, false, Unpooled.copiedBuffer(new byte[] {1}), Properties.EMPTY, "p",
                Message.NEVER_EXPIRES);
        try {
            return frame(new LinkFrame.Publish(seq, m));
        } finally {
            m.release();
        }
    }

    /** Reads what the receiver wrote back: HELLO and ACKs. */
    private List<LinkFrame> replies(EmbeddedChannel ch) throws MalformedFrameException {
        List<LinkFrame> out = new ArrayList<>();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            try {
                b.skipBytes(4);
                out.add(codec.decode(b));
            } finally {
                b.release();
            }
        }
        return out;
    }

    @Test
    void frameThatIsNotHelloFirst_closesTheLink() {
        EmbeddedChannel ch = link();

        ch.writeInbound(frame(new LinkFrame.Ack(1)));

        assertThat(ch.isOpen()).isFalse();
        assertThat(links.address()).isNotNull();
        ch.finishAndReleaseAll();
    }

    @Test
    void malformedFrame_closesTheLinkNotTheServer() {
        EmbeddedChannel ch = link();
        ch.writeInbound(frame(new LinkFrame.Hello(new NodeId("a"), 1)));

        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 2, 1, 77}));

        assertThat(ch.isOpen()).isFalse();
        ch.finishAndReleaseAll();
        EmbeddedChannel other = link();
        other.writeInbound(frame(new LinkFrame.Hello(new NodeId("c"), 1)));
        assertThat(other.isOpen()).as("other links carry on").isTrue();
        other.finishAndReleaseAll();
    }

    @Test
    void frameLongerThanTheLimit_closesTheLink() {
        EmbeddedChannel ch = link();
        ch.writeInbound(frame(new LinkFrame.Hello(new NodeId("a"), 1)));

        ch.writeInbound(Unpooled.buffer().writeInt(LinkCodec.MAX_FRAME_BYTES + 1).writeZero(16));

        assertThat(ch.isOpen()).isFalse();
        ch.finishAndReleaseAll();
    }

    @Test
    void framesFromAHeldOrigin_waitUnacknowledgedUntilReleased_thenGoInOrder_otherOriginsCarryOn() throws Exception {
        EmbeddedChannel fromA = link();
        fromA.writeInbound(frame(new LinkFrame.Hello(new NodeId("a"), 1)));
        EmbeddedChannel fromC = link();
        fromC.writeInbound(frame(new LinkFrame.Hello(new NodeId("c"), 1)));
        replies(fromA);
        replies(fromC);
        Runnable release = links.holdFrom(new NodeId("a"));

        fromA.writeInbound(publish(1, QoS.AT_LEAST_ONCE));
        fromA.writeInbound(publish(2, QoS.EXACTLY_ONCE));
        fromC.writeInbound(publish(1, QoS.AT_LEAST_ONCE));

        assertThat(replies(fromA)).as("held: not routed, not acknowledged").isEmpty();
        assertThat(fromA.config().isAutoRead()).as("and not read further").isFalse();
        assertThat(links.counters(new NodeId("a")).forwardedIn.sum()).isZero();
        assertThat(replies(fromC)).containsExactly(new LinkFrame.Ack(1));

        release.run();
        release.run(); // twice: harmless
        fromA.runPendingTasks();

        assertThat(replies(fromA)).containsExactly(new LinkFrame.Ack(1), new LinkFrame.Ack(2));
        assertThat(links.counters(new NodeId("a")).forwardedIn.sum()).isEqualTo(2);
        assertThat(fromA.config().isAutoRead()).isTrue();
        fromA.writeInbound(publish(3, QoS.AT_LEAST_ONCE));
        assertThat(replies(fromA)).containsExactly(new LinkFrame.Ack(3));
        fromA.finishAndReleaseAll();
        fromC.finishAndReleaseAll();
    }

    /** A node a session moved to from here: relays while the move is fresh, and records what reaches it. */
    private RemoteNode relaying(String name, List<String> got) {
        return new RemoteNode() {
            @Override
            public void forward(Message m, Targets targets) {
                got.add(name + " " + m.topic() + (targets.relayed() ? " relayed" : ""));
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public boolean relaysForMovedSessions() {
                return true;
            }
        };
    }

    @Test
    void messageFromTheNodeASessionMovedTo_isNeverRelayedBackThere_butOneFromAThirdNodeIs() throws Exception {
        List<String> got = new ArrayList<>();
        SubscriberOptions row = new SubscriberOptions(SubscriptionOptions.of(QoS.AT_LEAST_ONCE), 0);
        tree.subscribe("t", relaying("a", got), row); // sessions moved from here (b) to a and to c
        tree.subscribe("t", relaying("c", got), row);
        EmbeddedChannel fromA = link();
        fromA.writeInbound(frame(new LinkFrame.Hello(new NodeId("a"), 1)));
        Message m = new Message("t", QoS.AT_LEAST_ONCE, false, Unpooled.copiedBuffer(new byte[] {1}), Properties.EMPTY,
                "p", Message.NEVER_EXPIRES);
        try {
            // a published it and sent it to b only: c gets it relayed, a (its publisher) does not get it back
            fromA.writeInbound(frame(new LinkFrame.Publish(1, m, new RemoteNode.Targets(true, List.of(), List.of("b"), false))));
        } finally {
            m.release();
        }

        assertThat(got).containsExactly("c t relayed");
        fromA.finishAndReleaseAll();
    }

    @Test
    void resentMessage_isRoutedOnceAndAcknowledgedEachTime() throws Exception {
        tree.subscribe("t", new RemoteNode() {
                    @Override
                    public void forward(Message m, Targets targets) {
                        routedOnward.add(m.topic());
                    }

                    @Override
                    public String name() {
                        return "c";
                    }
                },
                new SubscriberOptions(SubscriptionOptions.of(QoS.AT_LEAST_ONCE), 0));
        EmbeddedChannel first = link();
        first.writeInbound(frame(new LinkFrame.Hello(new NodeId("a"), 1)));
        first.writeInbound(publish(1, QoS.AT_LEAST_ONCE));
        first.writeInbound(publish(2, QoS.AT_LEAST_ONCE));
        assertThat(replies(first)).containsExactly(new LinkFrame.Hello(new NodeId("b"), 1),
                new LinkFrame.Ack(1), new LinkFrame.Ack(2));
        first.finishAndReleaseAll();

        EmbeddedChannel second = link(); // the link came back, and 2's ack had been lost
        second.writeInbound(frame(new LinkFrame.Hello(new NodeId("a"), 1)));
        second.writeInbound(publish(2, QoS.AT_LEAST_ONCE));
        second.writeInbound(publish(3, QoS.AT_LEAST_ONCE));

        assertThat(replies(second)).containsExactly(new LinkFrame.Hello(new NodeId("b"), 1),
                new LinkFrame.Ack(2), new LinkFrame.Ack(3));
        assertThat(links.counters(new NodeId("a")).forwardedIn.sum()).isEqualTo(3);
        assertThat(links.counters(new NodeId("a")).duplicatesIn.sum()).isEqualTo(1);
        assertThat(routedOnward).as("a forwarded message never goes on to a third node").isEmpty();
        second.finishAndReleaseAll();
    }

    @Test
    void newIncarnationOfTheSender_startsTheCountAgain() throws Exception {
        EmbeddedChannel first = link();
        first.writeInbound(frame(new LinkFrame.Hello(new NodeId("a"), 1)));
        first.writeInbound(publish(5, QoS.EXACTLY_ONCE));
        first.finishAndReleaseAll();

        EmbeddedChannel restarted = link();
        restarted.writeInbound(frame(new LinkFrame.Hello(new NodeId("a"), 2)));
        restarted.writeInbound(publish(1, QoS.EXACTLY_ONCE));

        assertThat(links.counters(new NodeId("a")).forwardedIn.sum()).isEqualTo(2);
        assertThat(links.counters(new NodeId("a")).duplicatesIn.sum()).isZero();
        replies(restarted);
        restarted.finishAndReleaseAll();
    }

    /**
     * A receiver that crashed after its store had the message but before its ack reached the sender
     * gets the message again from the sender (same incarnation, same sequence number): the highest
     * sequence routed is kept in the store with what the routing stored ({@link Duplicates}) and read
     * back at start, so the resend is not routed a second time (a QoS 2 message must not come twice).
     * Here the "restart" is a new NodeLinks on the same core and store; with RocksDB on a directory:
     * {@code ReceiverRestartOnStoreTest}.
     */
    @Test
    void resendAfterTheReceiverRestarted_isNotRoutedAgain() throws Exception {
        BrokerCore storing = new BrokerCore(BrokerSettings.defaults(), Clock.SYSTEM, new InMemoryRetainedStore(),
                Authenticator.anonymous(true), List.of(), new InMemorySessionStore(Clock.SYSTEM));
        NodeLinks before = NodeLinks.start(new NodeId("b"), 1, storing,
                new LinkLoops(group, NioServerSocketChannel.class, NioSocketChannel.class, List.of()),
                new InetSocketAddress("127.0.0.1", 0));
        EmbeddedChannel crashed = new EmbeddedChannel(
                new LengthFieldBasedFrameDecoder(LinkCodec.MAX_FRAME_BYTES, 0, 4, 0, 4), new LinkReceiver(before));
        crashed.writeInbound(frame(new LinkFrame.Hello(new NodeId("a"), 1)));
        crashed.writeInbound(publish(5, QoS.EXACTLY_ONCE));
        assertThat(before.counters(new NodeId("a")).forwardedIn.sum()).isOne();
        crashed.finishAndReleaseAll(); // the receiver dies: its ack of 5 never reaches a
        before.close();

        NodeLinks restarted = NodeLinks.start(new NodeId("b"), 2, storing,
                new LinkLoops(group, NioServerSocketChannel.class, NioSocketChannel.class, List.of()),
                new InetSocketAddress("127.0.0.1", 0));
        try {
            EmbeddedChannel after = new EmbeddedChannel(
                    new LengthFieldBasedFrameDecoder(LinkCodec.MAX_FRAME_BYTES, 0, 4, 0, 4), new LinkReceiver(restarted));
            after.writeInbound(frame(new LinkFrame.Hello(new NodeId("a"), 1)));
            after.writeInbound(publish(5, QoS.EXACTLY_ONCE)); // a sends again what was not acknowledged
            after.writeInbound(publish(6, QoS.EXACTLY_ONCE)); // and then what is new

            assertThat(restarted.counters(new NodeId("a")).forwardedIn.sum()).as("routed: only 6").isOne();
            assertThat(restarted.counters(new NodeId("a")).duplicatesIn.sum()).isOne();
            after.runPendingTasks();
            assertThat(replies(after)).containsExactly(new LinkFrame.Hello(new NodeId("b"), 2),
                    new LinkFrame.Ack(5), new LinkFrame.Ack(6));
            after.finishAndReleaseAll();
        } finally {
            restarted.close();
            storing.close();
        }
    }
}
