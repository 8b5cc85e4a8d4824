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
import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.BrokerSettings;
import io.starling.broker.core.auth.Authenticator;
import io.starling.broker.core.protocol.SessionRestore;
import io.starling.broker.core.routing.LoopOutbox;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.routing.SubscriberOptions;
import io.starling.broker.core.store.StoredSession;
import io.starling.broker.core.store.StoredState;
import io.starling.broker.core.store.memory.InMemoryRetainedStore;
import io.starling.broker.core.time.Clock;
import io.starling.broker.store.rocksdb.RocksSessionStore;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.SubscriptionOptions;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A receiving node on RocksDB, restarted on the same directory after it stored a forwarded QoS 2
 * message for a persistent session and before its ack reached the sender: the sender's resend (same
 * incarnation and sequence) is acknowledged and not routed again, so the session has it once.
 */
@ExtendWith(LeakReports.class)
class ReceiverRestartOnStoreTest {
    private static final long NEVER_EXPIRES = 0xFFFF_FFFFL;
    private static final NodeId A = new NodeId("a");

    private final NioEventLoopGroup group = new NioEventLoopGroup(1);
    private final LinkCodec codec = new LinkCodec(Clock.SYSTEM);
    @TempDir
    Path dir;

    /** One life of the receiving node: its store, core with the stored sessions, and links. */
    private final class Node implements AutoCloseable {
        final RocksSessionStore store;
        final BrokerCore core;
        final NodeLinks links;
        final int queued;

        Node(long incarnation) throws Exception {
            store = RocksSessionStore.open(dir, Clock.SYSTEM);
            StoredState state = store.load();
            queued = state.sessions().stream().mapToInt(s -> s.outgoing().size()).sum();
            core = new BrokerCore(BrokerSettings.defaults(), Clock.SYSTEM, new InMemoryRetainedStore(),
                    Authenticator.anonymous(true), List.of(), store);
            SessionRestore.restore(core, state, List.of(new LoopOutbox(group.next())), core::securityOfListener);
            links = NodeLinks.start(new NodeId("b"), incarnation, core,
                    new LinkLoops(group, NioServerSocketChannel.class, NioSocketChannel.class, List.of()),
                    new InetSocketAddress("127.0.0.1", 0));
        }

        EmbeddedChannel link() {
            return new EmbeddedChannel(new LengthFieldBasedFrameDecoder(LinkCodec.MAX_FRAME_BYTES, 0, 4, 0, 4),
                    new LinkReceiver(links));
        }

        @Override
        public void close() {
            links.close();
            core.close();
            store.close();
        }
    }

    @AfterEach
    void tearDown() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void resendAfterTheReceiverRestartedOnItsStore_isAcknowledgedAndNotRoutedAgain() throws Exception {
        try (RocksSessionStore first = RocksSessionStore.open(dir, Clock.SYSTEM)) {
            first.load();
            first.saveSession(new StoredSession("sub", null, NEVER_EXPIRES, System.currentTimeMillis()));
            first.saveSubscription("sub", "t", new SubscriberOptions(SubscriptionOptions.of(QoS.EXACTLY_ONCE), 0));
        }

        try (Node before = new Node(1)) {
            EmbeddedChannel ch = before.link();
            ch.writeInbound(frame(new LinkFrame.Hello(A, 1)));
            ch.writeInbound(publish(5));
            assertThat(before.links.counters(A).forwardedIn.sum()).isOne();
            assertThat(acks(before, ch)).as("acked once the session's copy is on disk").containsExactly(new LinkFrame.Ack(5));
            ch.finishAndReleaseAll(); // the ack never reaches a: the node dies here
        }

        try (Node after = new Node(2)) {
            assertThat(after.queued).as("the session's stored copy").isOne();
            EmbeddedChannel ch = after.link();
            ch.writeInbound(frame(new LinkFrame.Hello(A, 1)));
            ch.writeInbound(publish(5)); // a sends again what was not acknowledged
            ch.writeInbound(publish(6));

            assertThat(after.links.counters(A).duplicatesIn.sum()).isOne();
            assertThat(after.links.counters(A).forwardedIn.sum()).as("routed: only 6").isOne();
            assertThat(acks(after, ch)).containsExactly(new LinkFrame.Ack(5), new LinkFrame.Ack(6));
            ch.finishAndReleaseAll();
        }
        try (Node third = new Node(3)) {
            assertThat(third.queued).as("5 and 6, each once").isEqualTo(2);
        }
    }

    private ByteBuf frame(LinkFrame f) {
        return codec.encode(Unpooled.buffer().alloc(), f);
    }

    private ByteBuf publish(long seq) {
        Message m = new Message("t", QoS.EXACTLY_ONCE, false, Unpooled.copiedBuffer(new byte[] {1}), Properties.EMPTY,
                "p", Message.NEVER_EXPIRES);
        try {
            return frame(new LinkFrame.Publish(seq, m));
        } finally {
            m.release();
        }
    }

    /**
     * The acks the receiver wrote. They wait for the store's sync, which hands them to the channel's
     * loop from its own thread: a task registered after them on this thread runs after they were handed
     * over (the store keeps one thread's tasks in order), so the loop's tasks are complete once it ran.
     */
    private List<LinkFrame> acks(Node node, EmbeddedChannel ch) throws Exception {
        CountDownLatch handedOver = new CountDownLatch(1);
        node.store.afterDurable(Runnable::run, durable -> handedOver.countDown());
        assertThat(handedOver.await(30, TimeUnit.SECONDS)).as("the store synced").isTrue();
        ch.runPendingTasks();
        List<LinkFrame> acks = new ArrayList<>();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            try {
                b.skipBytes(4);
                LinkFrame f = codec.decode(b);
                if (f instanceof LinkFrame.Ack) {
                    acks.add(f);
                }
            } finally {
                b.release();
            }
        }
        return acks;
    }
}
