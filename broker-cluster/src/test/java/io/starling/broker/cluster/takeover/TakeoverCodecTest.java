package io.starling.broker.cluster.takeover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.starling.broker.cluster.LeakReports;
import io.starling.broker.cluster.link.MalformedFrameException;
import io.starling.broker.core.routing.Delivery;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.routing.SubscriberOptions;
import io.starling.broker.core.store.StoredSession;
import io.starling.broker.core.store.StoredState;
import io.starling.broker.core.time.Clock;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.Property;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.SubscriptionOptions;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The bytes of a session moving between nodes: every field that goes in comes out. */
@ExtendWith(LeakReports.class)
class TakeoverCodecTest {
    private final AtomicLong senderNanos = new AtomicLong(1_000_000_000L);
    private final AtomicLong receiverNanos = new AtomicLong(-5_000_000_000L);
    private final TakeoverCodec sender = new TakeoverCodec(clock(senderNanos));
    private final TakeoverCodec receiver = new TakeoverCodec(clock(receiverNanos));

    private static Clock clock(AtomicLong nanos) {
        return nanos::get;
    }

    private static Message message(String topic, QoS qos, String payload, Properties properties, long expiryAt) {
        return new Message(topic, qos, true, Unpooled.copiedBuffer(payload, StandardCharsets.UTF_8), properties,
                "publisher", expiryAt);
    }

    @Test
    void request_roundTrips() throws Exception {
        assertThat(receiver.decode(sender.encode(new TakeoverMessage.Request("client-ü", 77))))
                .isEqualTo(new TakeoverMessage.Request("client-ü", 77));
    }

    @Test
    void stateWithoutSession_roundTrips() throws Exception {
        assertThat(receiver.decode(sender.encode(new TakeoverMessage.State("c", 5, null))))
                .isEqualTo(new TakeoverMessage.State("c", 5, null));
    }

    @Test
    void stateWithSession_roundTripsEveryField() throws Exception {
        Map<String, SubscriberOptions> subscriptions = new LinkedHashMap<>();
        subscriptions.put("a/#", new SubscriberOptions(new SubscriptionOptions(QoS.EXACTLY_ONCE, true, true, 2), 268_435_455));
        subscriptions.put("$share/g/x/+", new SubscriberOptions(SubscriptionOptions.of(QoS.AT_MOST_ONCE), 0));
        Properties props = Properties.builder().add(new Property.Text(PropertyId.CONTENT_TYPE, "text/plain"))
                .add(new Property.UserProperty("k", "v")).build();
        Message inflight = message("a/1", QoS.AT_LEAST_ONCE, "one", props, 1_000_000_000L + 30_000_000_000L);
        Message queued = message("a/2", QoS.EXACTLY_ONCE, "two", Properties.EMPTY, Message.NEVER_EXPIRES);
        Message incoming = message("in", QoS.EXACTLY_ONCE, "held", Properties.EMPTY, Message.NEVER_EXPIRES);
        StoredState.RestoredSession session = new StoredState.RestoredSession(
                new StoredSession("c", "user", 3600, 1234, 1883, 65535), subscriptions,
                List.of(new StoredState.Outgoing(0, new Delivery(inflight, QoS.AT_LEAST_ONCE, false, List.of(1, 268_435_455),
                                null, 0, 65535, Delivery.NOT_MATCHED), 65535),
                        new StoredState.Outgoing(0, null, 3),
                        new StoredState.Outgoing(0, new Delivery(queued, QoS.EXACTLY_ONCE, true, List.of(), null, 0, 4,
                                Delivery.NOT_MATCHED), 0, "$share/g/x/+")),
                Map.of(9, incoming), null, 0);
        byte[] bytes;
        try {
            bytes = sender.encode(new TakeoverMessage.State("c", 12, session));
        } finally {
            session.release();
        }

        TakeoverMessage.State back = (TakeoverMessage.State) receiver.decode(bytes);

        try {
            assertThat(back.clientId()).isEqualTo("c");
            assertThat(back.epoch()).isEqualTo(12);
            StoredState.RestoredSession s = back.session();
            assertThat(s.header()).isEqualTo(new StoredSession("c", "user", 3600, 1234, 1883, 65535));
            assertThat(s.subscriptions()).containsExactlyEntriesOf(subscriptions);
            assertThat(s.outgoing()).extracting(StoredState.Outgoing::packetId).containsExactly(65535, 3, 0);
            Delivery d0 = s.outgoing().get(0).delivery();
            assertThat(d0.qos()).isEqualTo(QoS.AT_LEAST_ONCE);
            assertThat(d0.retain()).isFalse();
            assertThat(d0.packetId()).isEqualTo(65535);
            assertThat(d0.subscriptionIds()).containsExactly(1, 268_435_455);
            assertThat(d0.message().topic()).isEqualTo("a/1");
            assertThat(d0.message().retainFlag()).isTrue();
            assertThat(d0.message().publisherId()).isEqualTo("publisher");
            assertThat(d0.message().properties().asList()).isEqualTo(props.asList());
            assertThat(d0.message().payload().toString(StandardCharsets.UTF_8)).isEqualTo("one");
            assertThat(d0.message().expiryAtNanos()).isEqualTo(-5_000_000_000L + 30_000_000_000L); // the 30 s left, on the receiver's clock
            assertThat(s.outgoing()).extracting(StoredState.Outgoing::share).containsExactly(null, null, "$share/g/x/+");
            assertThat(s.outgoing().get(1).delivery()).isNull();
            Delivery d2 = s.outgoing().get(2).delivery();
            assertThat(d2.qos()).isEqualTo(QoS.EXACTLY_ONCE);
            assertThat(d2.retain()).isTrue();
            assertThat(d2.packetId()).isEqualTo(4);
            assertThat(d2.message().expiryAtNanos()).isEqualTo(Message.NEVER_EXPIRES);
            assertThat(s.incomingQos2()).containsOnlyKeys(9);
            assertThat(s.incomingQos2().get(9).payload().toString(StandardCharsets.UTF_8)).isEqualTo("held");
            assertThat(s.will()).isNull();
        } finally {
            back.session().release();
        }
    }

    @Test
    void willOfTheConnectionTakenOver_travelsWithTheState() throws Exception {
        Message will = message("will/t", QoS.AT_LEAST_ONCE, "gone", Properties.EMPTY, Message.NEVER_EXPIRES);
        StoredState.RestoredSession session = new StoredState.RestoredSession(new StoredSession("c", null, 0, 0, 0, 1),
                Map.of(), List.of(), Map.of(), will, 0);
        byte[] bytes = sender.encode(new TakeoverMessage.State("c", 1, session));
        session.release();

        TakeoverMessage.State back = (TakeoverMessage.State) receiver.decode(bytes);
        try {
            assertThat(back.session().will().topic()).isEqualTo("will/t");
            assertThat(back.session().will().payload().toString(StandardCharsets.UTF_8)).isEqualTo("gone");
            assertThat(back.session().will().qos()).isEqualTo(QoS.AT_LEAST_ONCE);
        } finally {
            back.session().release();
        }
    }

    @Test
    void truncatedState_isMalformed_andLeaksNothing() {
        Message m = message("a", QoS.AT_LEAST_ONCE, "x", Properties.EMPTY, Message.NEVER_EXPIRES);
        StoredState.RestoredSession session = new StoredState.RestoredSession(new StoredSession("c", null, 0, 0, 0, 1),
                Map.of(), List.of(new StoredState.Outgoing(0, new Delivery(m, QoS.AT_LEAST_ONCE, false, List.of()), 0)),
                Map.of(1, m.retain()), null, 0);
        byte[] bytes = sender.encode(new TakeoverMessage.State("c", 1, session));
        session.release();

        assertThatThrownBy(() -> receiver.decode(Arrays.copyOf(bytes, bytes.length - 1)))
                .isInstanceOf(MalformedFrameException.class);
        assertThatThrownBy(() -> receiver.decode(Arrays.copyOf(bytes, bytes.length + 1)))
                .isInstanceOf(MalformedFrameException.class);
    }
}
