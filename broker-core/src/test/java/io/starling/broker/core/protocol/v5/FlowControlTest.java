package io.starling.broker.core.protocol.v5;

import io.starling.broker.core.BrokerSettings;
import io.starling.broker.core.OverloadLimits;

import static io.starling.broker.core.protocol.v5.Mqtt5.number;
import static io.starling.broker.core.protocol.v5.Mqtt5.props;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.session.Session;
import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.mqtt.codec.Packet;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PubAck;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.PubComp;
import io.starling.mqtt.codec.PubRec;
import io.starling.mqtt.codec.PubRel;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.ReasonCode;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Flow control with Receive Maximum (MQTT 5 §4.9): the broker sends a client at most its Receive
 * Maximum of unacknowledged QoS 1 and 2 messages; a client has a receive quota of the broker's (20,
 * its max_inflight_messages), counted as mosquitto counts it (see ReceiveQuota): beyond it a 5.0
 * client gets 0x97 "Quota exceeded", a 3.1.1 client a plain acknowledgement and its message is dropped.
 */
class FlowControlTest {
    private final TestBroker broker = TestBroker.start();

    @AfterEach
    void tearDown() {
        broker.close();
    }

    private TestClient subscriber(int receiveMaximum, QoS qos) {
        TestClient sub = Mqtt5.connected(broker, "sub", true, props(number(PropertyId.RECEIVE_MAXIMUM, receiveMaximum)));
        sub.subscribe("a/b", qos);
        return sub;
    }

    @Test
    void subscriberWithReceiveMaximum2_getsTwoQos1MessagesAtATime() {
        TestClient sub = subscriber(2, QoS.AT_LEAST_ONCE);
        TestClient pub = Mqtt5.connected(broker, "pub");

        for (int i = 1; i <= 5; i++) {
            pub.publish("a/b", QoS.AT_LEAST_ONCE, "m" + i);
        }

        List<Publish> first = sub.takePublishes();
        assertThat(first).extracting(Mqtt5::text).containsExactly("m1", "m2");
        assertThat(sub.onSession(Session::inflightCount)).isEqualTo(2);
        assertThat(sub.onSession(Session::queuedCount)).isEqualTo(3);

        sub.ack(first.get(0));
        List<Publish> next = sub.takePublishes();
        assertThat(next).extracting(Mqtt5::text).containsExactly("m3");

        sub.ack(first.get(1));
        sub.ack(next.get(0));
        List<Publish> rest = sub.takePublishes();
        assertThat(rest).extracting(Mqtt5::text).containsExactly("m4", "m5");
        rest.forEach(sub::ack);
        assertThat(sub.onSession(Session::inflightCount)).isZero();
        sub.expectNothing();
    }

    @Test
    void qos2Message_holdsItsPlaceInTheWindowUntilPubComp() {
        TestClient sub = subscriber(1, QoS.EXACTLY_ONCE);
        TestClient pub = Mqtt5.connected(broker, "pub");
        pub.publishAndRelease("a/b", QoS.EXACTLY_ONCE, "m1");
        pub.publishAndRelease("a/b", QoS.EXACTLY_ONCE, "m2");
        List<Publish> got = sub.takePublishes();
        assertThat(got).extracting(Mqtt5::text).containsExactly("m1");
        Publish first = got.get(0);

        sub.send(new PubRec(first.packetId()));
        assertThat(sub.take()).containsExactly(new PubRel(first.packetId()));

        sub.send(new PubComp(first.packetId()));
        assertThat(sub.takePublishes()).extracting(Mqtt5::text).containsExactly("m2");
    }

    @Test
    void qos0Messages_areNotHeldBackByAFullWindow() {
        TestClient sub = subscriber(1, QoS.AT_LEAST_ONCE);
        TestClient pub = Mqtt5.connected(broker, "pub");

        pub.publish("a/b", QoS.AT_LEAST_ONCE, "unacked");
        pub.publish("a/b", QoS.AT_MOST_ONCE, "q0-a");
        pub.publish("a/b", QoS.AT_MOST_ONCE, "q0-b");

        assertThat(sub.takePublishes()).extracting(Mqtt5::text).containsExactly("unacked", "q0-a", "q0-b");
    }

    @Test
    void subscriberWithoutReceiveMaximum_isLimitedByTheBrokersInflightLimit() {
        TestClient sub = Mqtt5.connected(broker, "sub");
        sub.subscribe("a/b", QoS.AT_LEAST_ONCE);
        TestClient pub = Mqtt5.connected(broker, "pub");

        for (int i = 0; i < 25; i++) {
            pub.publish("a/b", QoS.AT_LEAST_ONCE, "m" + i);
        }

        assertThat(sub.takePublishes()).hasSize(20);
        assertThat(sub.onSession(Session::queuedCount)).isEqualTo(5);
    }

    @Test
    void publisherOverItsReceiveQuota_getsQuotaExceeded_everyOtherTime_asMosquittoCountsIt() {
        TestClient sub = Mqtt5.connected(broker, "sub");
        sub.subscribe("a/b", QoS.AT_MOST_ONCE);
        TestClient pub = Mqtt5.connected(broker, "pub");
        for (int i = 1; i <= 20; i++) {
            pub.send(Mqtt5.publish(broker, "a/b", QoS.EXACTLY_ONCE, i, Properties.EMPTY, "m" + i));
        }
        assertThat(pub.take()).hasSize(20).allMatch(p -> p instanceof PubRec r && r.reasonCode() == ReasonCode.SUCCESS);

        for (int i = 21; i <= 24; i++) {
            pub.send(Mqtt5.publish(broker, "a/b", QoS.EXACTLY_ONCE, i, Properties.EMPTY, "m" + i));
        }
        pub.send(Mqtt5.publish(broker, "a/b", QoS.AT_LEAST_ONCE, 30, Properties.EMPTY, "qos 1 at quota 0"));
        pub.send(Mqtt5.publish(broker, "a/b", QoS.AT_LEAST_ONCE, 31, Properties.EMPTY, "qos 1 after"));

        // An error acknowledgement gives a quota back (mosquitto's send__pubrec, send__puback), which the
        // next message takes.
        assertThat(pub.take()).containsExactly(new PubRec(21, ReasonCode.QUOTA_EXCEEDED, Properties.EMPTY),
                new PubRec(22, ReasonCode.SUCCESS, Properties.EMPTY),
                new PubRec(23, ReasonCode.QUOTA_EXCEEDED, Properties.EMPTY),
                new PubRec(24, ReasonCode.SUCCESS, Properties.EMPTY),
                new PubAck(30, ReasonCode.QUOTA_EXCEEDED, Properties.EMPTY),
                new PubAck(31, ReasonCode.SUCCESS, Properties.EMPTY));
        assertThat(pub.isClosed()).isFalse();
        assertThat(sub.takePublishes()).extracting(Mqtt5::text).containsExactly("qos 1 after");
        assertThat(broker.core().drops().quotaExceeded.sum()).isEqualTo(3);

        for (int i = 1; i <= 24; i++) {
            pub.send(new PubRel(i));
        }
        assertThat(sub.takePublishes()).hasSize(22).extracting(Mqtt5::text).doesNotContain("m21", "m23");
        broker.payloads().assertAllReleased();
    }

    @Test
    void qos2MessagesReleasedWithPubRel_makeRoomForMore() {
        TestClient pub = Mqtt5.connected(broker, "pub");

        for (int i = 1; i <= 30; i++) {
            pub.send(Mqtt5.publish(broker, "a/b", QoS.EXACTLY_ONCE, i, Properties.EMPTY, "m" + i), new PubRel(i));
        }

        assertThat(pub.isClosed()).isFalse();
        assertThat(pub.take()).hasSize(60);
    }

    @Test
    void mqtt311PublisherOverItsReceiveQuota_getsAPlainPubRec_andItsMessageIsHeldAndPassedOn_notLost() {
        TestClient sub = broker.connected("sub");
        sub.subscribe("a/b", QoS.AT_MOST_ONCE);
        TestClient pub = broker.connected("pub");

        for (int i = 1; i <= 21; i++) {
            pub.send(pub.publishPacket("a/b", QoS.EXACTLY_ONCE, false, i, "m" + i));
        }
        for (int i = 1; i <= 21; i++) {
            pub.send(new PubRel(i));
        }

        // Mosquitto 2.0.11 drops m21 after its PUBREC; Starling holds it as any other.
        assertThat(pub.isClosed()).isFalse();
        assertThat(pub.take()).hasSize(42).allMatch(p -> p instanceof PubRec || p instanceof PubComp);
        assertThat(sub.takePublishes()).hasSize(21).extracting(Mqtt5::text).endsWith("m20", "m21");
        assertThat(broker.core().drops().quotaExceeded.sum()).isZero();
    }

    @Test
    void mqtt311PublisherOverItsReceiveQuota_isClosedPastMaxHeldQos2Bytes_withoutAnAcknowledgement() {
        OverloadLimits d = OverloadLimits.DEFAULTS;
        try (TestBroker small = TestBroker.start(BrokerSettings.defaults().toBuilder().overload(new OverloadLimits(
                d.maxOutgoingBytes(), d.maxLoopBacklogBytes(), d.maxConnectBytes(), d.maxConnectingClients(),
                d.maxConnectingBytes(), 2100)).build())) {
            TestClient pub = small.connected("pub");
            String payload = "x".repeat(100);

            for (int i = 1; i <= 21; i++) { // 20 within the quota, the 21st over it: 2100 bytes held in all
                pub.send(pub.publishPacket("a/b", QoS.EXACTLY_ONCE, false, i, payload));
            }
            assertThat(pub.take()).hasSize(21).allMatch(p -> p instanceof PubRec);
            assertThat(pub.isClosed()).isFalse();

            pub.send(pub.publishPacket("a/b", QoS.EXACTLY_ONCE, false, 22, payload)); // 2200 bytes: past the limit
            assertThat(pub.take()).as("no PUBREC: the client sends it again").isEmpty();
            assertThat(pub.isClosed()).isTrue();
            assertThat(small.core().drops().quotaExceeded.sum()).isEqualTo(1);
        }
    }

    @Test
    void reconnectWithSmallerReceiveMaximum_resendsOnlyThatManyAtATime() {
        Properties persistent = props(number(PropertyId.SESSION_EXPIRY_INTERVAL, 60),
                number(PropertyId.RECEIVE_MAXIMUM, 10));
        TestClient first = Mqtt5.connected(broker, "sub", true, persistent);
        first.subscribe("a/b", QoS.AT_LEAST_ONCE);
        TestClient pub = Mqtt5.connected(broker, "pub");
        for (int i = 1; i <= 5; i++) {
            pub.publish("a/b", QoS.AT_LEAST_ONCE, "m" + i);
        }
        assertThat(first.takePublishes()).hasSize(5); // never acknowledged
        first.dropConnection();

        TestClient again = broker.newClient();
        again.connect(Mqtt5.connect("sub", false, props(number(PropertyId.SESSION_EXPIRY_INTERVAL, 60),
                number(PropertyId.RECEIVE_MAXIMUM, 2))));
        List<Publish> resent = again.takePublishes();

        assertThat(resent).extracting(Mqtt5::text).containsExactly("m1", "m2");
        assertThat(resent).allMatch(Publish::dup);
        again.ack(resent.get(0));
        List<Publish> next = again.takePublishes();
        assertThat(next).extracting(Mqtt5::text).containsExactly("m3");
        assertThat(next.get(0).dup()).isTrue();
        again.ack(resent.get(1));
        again.ack(next.get(0));
        List<Publish> rest = again.takePublishes();
        assertThat(rest).extracting(Mqtt5::text).containsExactly("m4", "m5");
        rest.forEach(again::ack);
        assertThat(again.onSession(Session::inflightCount)).isZero();
    }
}
