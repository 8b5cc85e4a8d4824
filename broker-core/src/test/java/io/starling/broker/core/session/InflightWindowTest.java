package io.starling.broker.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.starling.broker.core.routing.Delivery;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.session.InflightWindow.Stage;
import io.starling.broker.core.sys.BrokerCounters;
import io.starling.broker.core.sys.Counter;
import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PubAck;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Outgoing QoS 1/2 messages awaiting acknowledgement, and the packet ids they hold (MQTT-2.3.1-2). */
class InflightWindowTest {
    private static final BrokerCounters COUNTERS = new BrokerCounters();
    private int nextId = 1;

    private static Delivery delivery(ByteBuf payload) {
        Message m = new Message("t", QoS.AT_LEAST_ONCE, false, payload, Properties.EMPTY, "p", Message.NEVER_EXPIRES);
        return new Delivery(m, QoS.AT_LEAST_ONCE, false, List.of());
    }

    @Test
    void add_keepsTheEntryUnderThePacketIdItIsGiven() {
        InflightWindow w = new InflightWindow(COUNTERS);

        InflightWindow.Entry e = w.add(delivery(Unpooled.directBuffer(1)), Stage.AWAITING_PUBACK, 7);

        assertThat(e.packetId()).isEqualTo(7);
        assertThat(w.get(7)).isSameAs(e);
        w.clear();
    }

    @Test
    void add_refusesAPacketIdStillInUse() {
        InflightWindow w = new InflightWindow(COUNTERS);
        w.add(delivery(Unpooled.directBuffer(1)), Stage.AWAITING_PUBACK, 1);
        ByteBuf second = Unpooled.directBuffer(1);

        assertThatThrownBy(() -> w.add(delivery(second), Stage.AWAITING_PUBACK, 1)).isInstanceOf(IllegalStateException.class);

        assertThat(w.size()).isOne();
        second.release();
        w.clear();
    }

    @Test
    void remove_releasesTheMessage() {
        InflightWindow w = new InflightWindow(COUNTERS);
        ByteBuf payload = Unpooled.directBuffer(1);
        int id = w.add(delivery(payload), Stage.AWAITING_PUBACK, nextId++).packetId();

        assertThat(w.remove(id)).isTrue();

        assertThat(payload.refCnt()).isZero();
        assertThat(w.remove(id)).isFalse();
        assertThat(w.size()).isZero();
    }

    @Test
    void received_releasesTheMessageButKeepsTheIdUntilPubComp() {
        InflightWindow w = new InflightWindow(COUNTERS);
        ByteBuf payload = Unpooled.directBuffer(1);
        int id = w.add(delivery(payload), Stage.AWAITING_PUBREC, nextId++).packetId();

        assertThat(w.received(id)).isTrue();

        assertThat(payload.refCnt()).isZero();
        assertThat(w.contains(id)).isTrue();
        assertThat(w.get(id).stage()).isEqualTo(Stage.AWAITING_PUBCOMP);
        assertThat(w.get(id).delivery()).isNull();
        assertThat(w.received(id)).as("a repeated PUBREC is answered again").isTrue();
        assertThat(w.remove(id)).isTrue();
    }

    @Test
    void received_isFalseForQos1AndUnknownIds() {
        InflightWindow w = new InflightWindow(COUNTERS);
        ByteBuf payload = Unpooled.directBuffer(1);
        int id = w.add(delivery(payload), Stage.AWAITING_PUBACK, nextId++).packetId();

        assertThat(w.received(id)).isFalse();
        assertThat(w.received(id + 1)).isFalse();
        assertThat(payload.refCnt()).isOne();
        w.clear();
        assertThat(payload.refCnt()).isZero();
    }

    @Test
    void entries_keepTheOrderTheyWereSentIn() {
        InflightWindow w = new InflightWindow(COUNTERS);
        for (int i = 0; i < 4; i++) {
            w.add(delivery(Unpooled.directBuffer(1)), Stage.AWAITING_PUBACK, nextId++);
        }
        w.remove(2);

        assertThat(w.entries()).extracting(InflightWindow.Entry::packetId).containsExactly(1, 3, 4);
        w.clear();
    }

    // ---- a window that never held anything (it has no map yet) ----

    @Test
    void neverUsedWindow_readsAsEmpty() {
        InflightWindow w = new InflightWindow(COUNTERS);

        assertThat(w.size()).isZero();
        assertThat(w.bytes()).isZero();
        assertThat(w.contains(1)).isFalse();
        assertThat(w.get(1)).isNull();
        assertThat(w.entries()).isEmpty();
    }

    @Test
    void ackForAnIdNeverSent_isRefusedByANeverUsedWindow() {
        InflightWindow w = new InflightWindow(COUNTERS);

        assertThat(w.remove(1)).as("PUBACK / PUBCOMP").isFalse();
        assertThat(w.received(1)).as("PUBREC").isFalse();
        assertThat(w.size()).isZero();
    }

    @Test
    void clearingANeverUsedWindow_leavesTheGaugesAlone() {
        BrokerCounters counters = new BrokerCounters();
        InflightWindow w = new InflightWindow(counters);

        w.clear();

        assertThat(w.size()).isZero();
        assertThat(counters.sum(Counter.INFLIGHT_MESSAGES)).isZero();
        assertThat(counters.sum(Counter.INFLIGHT_BYTES)).isZero();
    }

    @Test
    void restore_intoANeverUsedWindow_holdsTheEntryUnderItsOwnId() {
        BrokerCounters counters = new BrokerCounters();
        InflightWindow w = new InflightWindow(counters);

        w.restore(7, null, 3); // QoS 2 past PUBREC

        assertThat(w.get(7).stage()).isEqualTo(Stage.AWAITING_PUBCOMP);
        assertThat(w.get(7).storeSeq()).isEqualTo(3);
        assertThat(counters.sum(Counter.INFLIGHT_MESSAGES)).isOne();
        assertThat(w.remove(7)).isTrue();
        assertThat(counters.sum(Counter.INFLIGHT_MESSAGES)).isZero();
    }

    @Test
    void clearedWindow_takesNewEntriesAndDoesNotReuseIds() {
        BrokerCounters counters = new BrokerCounters();
        InflightWindow w = new InflightWindow(counters);
        w.add(delivery(Unpooled.directBuffer(1)), Stage.AWAITING_PUBACK, nextId++);
        w.add(delivery(Unpooled.directBuffer(1)), Stage.AWAITING_PUBACK, nextId++);

        w.clear();

        assertThat(w.entries()).isEmpty();
        assertThat(counters.sum(Counter.INFLIGHT_MESSAGES)).isZero();
        ByteBuf payload = Unpooled.directBuffer(1).writeByte(1);
        InflightWindow.Entry next = w.add(delivery(payload), Stage.AWAITING_PUBACK, nextId++);
        assertThat(next.packetId()).isEqualTo(3);
        assertThat(w.entries()).extracting(InflightWindow.Entry::packetId).containsExactly(3);
        assertThat(w.bytes()).isOne();
        assertThat(counters.sum(Counter.INFLIGHT_MESSAGES)).isOne();
        assertThat(counters.sum(Counter.INFLIGHT_BYTES)).isOne();
        w.clear();
        assertThat(payload.refCnt()).isZero();
        assertThat(counters.sum(Counter.INFLIGHT_BYTES)).isZero();
    }

    // ---- the window of a session, through the protocol ----

    @Test
    void nonAckingSubscriber_hasAtMostMaxInflightOutstandingWithDistinctIds_andTheRestQueued() {
        try (TestBroker broker = TestBroker.start()) {
            int limit = broker.core().settings().maxInflightMessages();
            assertThat(limit).isEqualTo(20);
            TestClient sub = broker.connected("sub");
            sub.subscribe("a/b", QoS.AT_LEAST_ONCE);
            TestClient pub = broker.connected("pub");

            for (int i = 0; i < 30; i++) {
                pub.publish("a/b", QoS.AT_LEAST_ONCE, "m" + i);
            }

            List<Publish> first = sub.takePublishes();
            assertThat(first).hasSize(limit);
            assertThat(first).extracting(Publish::packetId).doesNotHaveDuplicates();
            assertThat(first).extracting(InflightWindowTest::text)
                    .containsExactlyElementsOf(range("m", 0, limit));
            assertThat(sub.onSession(Session::inflightCount)).isEqualTo(limit);
            assertThat(sub.onSession(Session::queuedCount)).isEqualTo(10);

            // Acknowledging three releases the next three, in order, under ids not in flight.
            for (int i = 0; i < 3; i++) {
                sub.send(new PubAck(first.get(i).packetId()));
            }
            List<Publish> more = sub.takePublishes();
            assertThat(more).extracting(InflightWindowTest::text).containsExactly("m20", "m21", "m22");
            List<Integer> stillInflight = first.subList(3, limit).stream().map(Publish::packetId).toList();
            assertThat(more).extracting(Publish::packetId).doesNotContainAnyElementsOf(stillInflight)
                    .doesNotHaveDuplicates();
            assertThat(sub.onSession(Session::inflightCount)).isEqualTo(limit);
            assertThat(sub.onSession(Session::queuedCount)).isEqualTo(7);

            // Acknowledging everything drains the queue in order.
            List<Publish> outstanding = new ArrayList<>(first.subList(3, limit));
            outstanding.addAll(more);
            List<String> rest = new ArrayList<>();
            while (!outstanding.isEmpty()) {
                outstanding.forEach(sub::ack);
                outstanding = sub.takePublishes();
                outstanding.forEach(p -> rest.add(text(p)));
            }
            assertThat(rest).containsExactlyElementsOf(range("m", 23, 30));
            assertThat(sub.onSession(Session::inflightCount)).isZero();
            assertThat(sub.onSession(Session::queuedCount)).isZero();
        }
    }

    @Test
    void qos0_bypassesAFullWindow() {
        try (TestBroker broker = TestBroker.start()) {
            TestClient sub = broker.connected("sub");
            sub.subscribe("a/b", QoS.AT_LEAST_ONCE);
            TestClient pub = broker.connected("pub");
            for (int i = 0; i < 20; i++) {
                pub.publish("a/b", QoS.AT_LEAST_ONCE, "m" + i);
            }
            sub.take();

            pub.publish("a/b", QoS.AT_MOST_ONCE, "now");

            assertThat(sub.takePublishes()).extracting(InflightWindowTest::text).containsExactly("now");
        }
    }

    private static String text(Publish p) {
        return p.payload().toString(StandardCharsets.UTF_8);
    }

    private static List<String> range(String prefix, int from, int to) {
        List<String> list = new ArrayList<>();
        for (int i = from; i < to; i++) {
            list.add(prefix + i);
        }
        return list;
    }
}
