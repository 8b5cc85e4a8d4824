package io.starling.broker.cluster.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.starling.broker.cluster.LeakReports;
import io.starling.broker.cluster.NodeId;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.routing.RemoteNode;
import io.starling.broker.core.topic.TopicFilter;
import io.starling.broker.core.time.Clock;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.Property;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.QoS;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The bytes of a node link: what goes in comes out, and what does not fit is refused. */
@ExtendWith(LeakReports.class)
class LinkCodecTest {
    private final AtomicLong senderNanos = new AtomicLong(1_000_000_000L);
    private final AtomicLong receiverNanos = new AtomicLong(-5_000_000_000L);
    private final LinkCodec sender = new LinkCodec(clock(senderNanos));
    private final LinkCodec receiver = new LinkCodec(clock(receiverNanos));
    private final PooledByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;

    private static Clock clock(AtomicLong nanos) {
        return nanos::get;
    }

    /** Encodes, strips the length prefix as the frame decoder does, and decodes. */
    private LinkFrame roundTrip(LinkFrame frame) throws MalformedFrameException {
        ByteBuf bytes = sender.encode(alloc, frame);
        try {
            assertThat(bytes.readInt()).isEqualTo(bytes.readableBytes());
            return receiver.decode(bytes);
        } finally {
            bytes.release();
        }
    }

    private Message message(QoS qos, boolean retain, Properties properties, long expiryAt) {
        ByteBuf payload = alloc.buffer().writeBytes("payload".getBytes(StandardCharsets.UTF_8));
        return new Message("a/b/ü", qos, retain, payload, properties, "publisher-1", expiryAt);
    }

    @Test
    void hello_roundTrips() throws Exception {
        assertThat(roundTrip(new LinkFrame.Hello(new NodeId("node-a"), 1234567890123L)))
                .isEqualTo(new LinkFrame.Hello(new NodeId("node-a"), 1234567890123L));
    }

    @Test
    void ack_roundTrips() throws Exception {
        assertThat(roundTrip(new LinkFrame.Ack(Long.MAX_VALUE))).isEqualTo(new LinkFrame.Ack(Long.MAX_VALUE));
    }

    @Test
    void publish_carriesTheMessageAsPublished() throws Exception {
        Properties properties = Properties.builder()
                .add(new Property.Number(PropertyId.PAYLOAD_FORMAT_INDICATOR, 1))
                .add(new Property.Text(PropertyId.CONTENT_TYPE, "text/plain"))
                .add(new Property.Text(PropertyId.RESPONSE_TOPIC, "reply/here"))
                .add(new Property.Binary(PropertyId.CORRELATION_DATA, new byte[] {1, 2, 3}))
                .add(new Property.UserProperty("k", "v1"))
                .add(new Property.UserProperty("k", "v2"))
                .add(new Property.Number(PropertyId.MESSAGE_EXPIRY_INTERVAL, 30))
                .build();
        Message m = message(QoS.EXACTLY_ONCE, true, properties, senderNanos.get() + TimeUnit.SECONDS.toNanos(30));

        LinkFrame.Publish p = (LinkFrame.Publish) roundTrip(new LinkFrame.Publish(42, m));
        m.release();

        Message got = p.message();
        assertThat(p.seq()).isEqualTo(42);
        assertThat(got.topic()).isEqualTo("a/b/ü");
        assertThat(got.qos()).isEqualTo(QoS.EXACTLY_ONCE);
        assertThat(got.retainFlag()).isTrue();
        assertThat(got.publisherId()).isEqualTo("publisher-1");
        assertThat(got.properties()).isEqualTo(properties);
        assertThat(got.expiryAtNanos()).as("the time left, on the receiver's clock")
                .isEqualTo(receiverNanos.get() + TimeUnit.SECONDS.toNanos(30));
        assertThat(got.payload().toString(StandardCharsets.UTF_8)).isEqualTo("payload");
        got.release();
        assertThat(got.payload().refCnt()).isZero();
    }

    @Test
    void publish_leavesTopicAliasAndSubscriptionIdsBehind() throws Exception {
        Properties properties = Properties.builder()
                .add(new Property.Number(PropertyId.TOPIC_ALIAS, 3))
                .add(new Property.Number(PropertyId.SUBSCRIPTION_IDENTIFIER, 9))
                .build();
        Message m = message(QoS.AT_MOST_ONCE, false, properties, Message.NEVER_EXPIRES);

        LinkFrame.Publish p = (LinkFrame.Publish) roundTrip(new LinkFrame.Publish(0, m));
        m.release();

        assertThat(p.message().properties().isEmpty()).isTrue();
        assertThat(p.message().expiryAtNanos()).isEqualTo(Message.NEVER_EXPIRES);
        assertThat(p.message().retainFlag()).isFalse();
        p.message().release();
    }

    /** Every cut of a PUBLISH frame shorter than the whole is refused, and nothing is left referenced. */
    @Test
    void truncatedFrame_isMalformed() {
        Message m = message(QoS.AT_LEAST_ONCE, false,
                Properties.builder().add(new Property.UserProperty("k", "v")).build(), Message.NEVER_EXPIRES);
        ByteBuf whole = sender.encode(alloc, new LinkFrame.Publish(7, m));
        m.release();
        whole.skipBytes(4);
        try {
            for (int n = 0; n < whole.readableBytes(); n++) {
                ByteBuf cut = whole.retainedSlice(whole.readerIndex(), n);
                try {
                    assertThatThrownBy(() -> receiver.decode(cut)).as("cut at " + n)
                            .isInstanceOf(MalformedFrameException.class);
                } finally {
                    cut.release();
                }
            }
            assertThat(whole.refCnt()).isOne();
        } finally {
            whole.release();
        }
    }

    @Test
    void unknownVersionTypeOrTrailingBytes_areMalformed() {
        // Version 1 is the link of nodes before cluster-wide shared subscriptions: one cluster runs one version.
        assertMalformed(new byte[] {1, LinkCodec.ACK, 0, 0, 0, 0, 0, 0, 0, 1}, "version");
        assertMalformed(new byte[] {LinkCodec.VERSION, 9}, "unknown link frame type");
        assertMalformed(new byte[] {LinkCodec.VERSION, LinkCodec.ACK, 0, 0, 0, 0, 0, 0, 0, 1, 5}, "after a link frame");
    }

    @Test
    void publishWithTrailingBytes_isMalformedAndReleasesItsPayload() {
        Message m = message(QoS.AT_LEAST_ONCE, false, Properties.EMPTY, Message.NEVER_EXPIRES);
        ByteBuf frame = sender.encode(alloc, new LinkFrame.Publish(7, m));
        m.release();
        frame.skipBytes(4).writeByte(0);
        try {
            assertThatThrownBy(() -> receiver.decode(frame)).isInstanceOf(MalformedFrameException.class);
            assertThat(frame.refCnt()).as("the payload slice was given back").isOne();
        } finally {
            frame.release();
        }
    }

    private void assertMalformed(byte[] bytes, String why) {
        ByteBuf in = alloc.buffer().writeBytes(bytes);
        try {
            assertThatThrownBy(() -> receiver.decode(in)).isInstanceOf(MalformedFrameException.class)
                    .hasMessageContaining(why);
        } finally {
            in.release();
        }
    }

    @Test
    void publish_carriesTheSharedSubscriptionGroupsAndWhetherOrdinarySubscriptionsGetIt() throws Exception {
        RemoteNode.Targets targets = new RemoteNode.Targets(false,
                List.of(new TopicFilter.Shared("g1", "a/+/ü"), new TopicFilter.Shared("g2", "#")));
        Message m = message(QoS.AT_LEAST_ONCE, false, Properties.EMPTY, Message.NEVER_EXPIRES);

        LinkFrame.Publish p = (LinkFrame.Publish) roundTrip(new LinkFrame.Publish(7, m, targets));
        m.release();

        assertThat(p.targets()).isEqualTo(targets);
        assertThat(p.message().qos()).isEqualTo(QoS.AT_LEAST_ONCE);
        p.message().release();
        LinkFrame.Publish both = (LinkFrame.Publish) roundTrip(new LinkFrame.Publish(8,
                m = message(QoS.AT_MOST_ONCE, true, Properties.EMPTY, Message.NEVER_EXPIRES),
                new RemoteNode.Targets(true, List.of(new TopicFilter.Shared("g", "x")))));
        m.release();
        assertThat(both.targets()).isEqualTo(new RemoteNode.Targets(true, List.of(new TopicFilter.Shared("g", "x"))));
        assertThat(both.message().retainFlag()).isTrue();
        both.message().release();
        LinkFrame.Publish plain = (LinkFrame.Publish) roundTrip(new LinkFrame.Publish(9,
                m = message(QoS.AT_MOST_ONCE, false, Properties.EMPTY, Message.NEVER_EXPIRES)));
        m.release();
        assertThat(plain.targets()).isEqualTo(RemoteNode.Targets.ORDINARY);
        plain.message().release();
    }

    @Test
    void publish_carriesTheNodesItWasSentTo_andWhetherItWasRelayed() throws Exception {
        RemoteNode.Targets sent = new RemoteNode.Targets(true, List.of(), List.of("n1", "nœud-2"), false);
        Message m = message(QoS.EXACTLY_ONCE, false, Properties.EMPTY, Message.NEVER_EXPIRES);

        LinkFrame.Publish p = (LinkFrame.Publish) roundTrip(new LinkFrame.Publish(7, m, sent));
        LinkFrame.Publish relayed = (LinkFrame.Publish) roundTrip(new LinkFrame.Publish(8, m, RemoteNode.Targets.RELAYED));
        m.release();

        assertThat(p.targets()).isEqualTo(sent);
        assertThat(relayed.targets()).isEqualTo(RemoteNode.Targets.RELAYED);
        p.message().release();
        relayed.message().release();
    }

    @Test
    void publishForNoSubscriptionAtAll_isRefused() {
        Message m = message(QoS.AT_LEAST_ONCE, false, Properties.EMPTY, Message.NEVER_EXPIRES);
        ByteBuf bytes = sender.encode(alloc, new LinkFrame.Publish(7, m, new RemoteNode.Targets(false, List.of())));
        m.release();
        try {
            bytes.skipBytes(4);
            assertThatThrownBy(() -> receiver.decode(bytes)).isInstanceOf(MalformedFrameException.class)
                    .hasMessageContaining("no subscription");
        } finally {
            bytes.release();
        }
    }
}
