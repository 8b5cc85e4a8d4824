package io.starling.broker.core.protocol.v5;

import static io.starling.broker.core.protocol.v5.Mqtt5.number;
import static io.starling.broker.core.protocol.v5.Mqtt5.props;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.session.Session;
import io.starling.broker.core.store.memory.InMemorySessionStore;
import io.starling.broker.core.BrokerSettings;
import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.mqtt.codec.Properties;
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
 * A subscriber's PUBREC with an error reason code (0x80 or above) ends the QoS 2 flow of that message
 * (MQTT 5 §4.3.3, §4.9): the broker sends no PUBREL, the packet id is free again and the message's
 * place in the window goes to the next queued one. As mosquitto 2.0.11 does (issue 15, measured):
 * any reason code of 0x80 or above, valid for PUBREC or not; an error PUBREC for an unknown id is
 * ignored; one for a message past PUBREC is a protocol error.
 */
class PubRecErrorTest {
    private TestBroker broker = TestBroker.start();

    @AfterEach
    void tearDown() {
        broker.close();
    }

    private TestClient subscriber(int receiveMaximum) {
        TestClient sub = Mqtt5.connected(broker, "sub", true, props(number(PropertyId.RECEIVE_MAXIMUM, receiveMaximum)));
        sub.subscribe("a/b", QoS.EXACTLY_ONCE);
        return sub;
    }

    /** A QoS 2 message from {@code pub}, routed once its PUBREL is sent (incoming QoS 2 goes on at PUBREL). */
    private static void publishQos2(TestClient pub, String text) {
        int id = pub.publish("a/b", QoS.EXACTLY_ONCE, text);
        pub.send(new PubRel(id));
    }

    private static PubRec pubRec(int packetId, int reasonCode) {
        return new PubRec(packetId, reasonCode, Properties.EMPTY);
    }

    @Test
    void pubRecWithAnErrorCode_sendsNoPubRel_andTheNextQueuedMessageGoesOut() {
        TestClient sub = subscriber(1);
        TestClient pub = Mqtt5.connected(broker, "pub");
        publishQos2(pub, "m1");
        publishQos2(pub, "m2");
        List<Publish> first = sub.takePublishes();
        assertThat(first).extracting(Mqtt5::text).containsExactly("m1");

        sub.send(pubRec(first.get(0).packetId(), ReasonCode.UNSPECIFIED_ERROR));

        List<Publish> next = sub.takePublishes();
        assertThat(next).extracting(Mqtt5::text).containsExactly("m2");
        assertThat(next.get(0).packetId()).isNotEqualTo(first.get(0).packetId());
        assertThat(sub.onSession(Session::inflightCount)).isEqualTo(1);
        sub.send(new PubRec(next.get(0).packetId()));
        assertThat(sub.take()).containsExactly(new PubRel(next.get(0).packetId()));
        sub.send(new PubComp(next.get(0).packetId()));
        assertThat(sub.onSession(Session::inflightCount)).isZero();
        assertThat(sub.isClosed()).isFalse();
        broker.payloads().assertAllReleased();
    }

    @Test
    void anyCodeFrom0x80Up_endsTheFlow_evenOneNotMeantForPubRec() {
        TestClient sub = subscriber(20);
        TestClient pub = Mqtt5.connected(broker, "pub");
        int[] codes = {ReasonCode.QUOTA_EXCEEDED, ReasonCode.MALFORMED_PACKET, 0xFF};
        for (int code : codes) {
            publishQos2(pub, "m");
        }
        List<Publish> got = sub.takePublishes();
        assertThat(got).hasSize(codes.length);

        for (int i = 0; i < codes.length; i++) {
            sub.send(pubRec(got.get(i).packetId(), codes[i]));
        }

        sub.expectNothing();
        assertThat(sub.onSession(Session::inflightCount)).isZero();
        assertThat(sub.isClosed()).isFalse();
    }

    @Test
    void pubRecWithACodeBelow0x80_isASuccess_andGetsPubRel() {
        TestClient sub = subscriber(20);
        TestClient pub = Mqtt5.connected(broker, "pub");
        publishQos2(pub, "m");
        Publish got = sub.takePublishes().get(0);

        sub.send(pubRec(got.packetId(), ReasonCode.NO_MATCHING_SUBSCRIBERS));

        assertThat(sub.take()).containsExactly(new PubRel(got.packetId()));
        assertThat(sub.onSession(Session::inflightCount)).isEqualTo(1);
    }

    @Test
    void errorPubRecForAnUnknownPacketId_isIgnored() {
        TestClient sub = subscriber(20);

        sub.send(pubRec(77, ReasonCode.UNSPECIFIED_ERROR));

        sub.expectNothing();
        assertThat(sub.isClosed()).isFalse();
    }

    @Test
    void errorPubRecForAMessagePastPubRec_isAProtocolError() {
        TestClient sub = subscriber(20);
        TestClient pub = Mqtt5.connected(broker, "pub");
        publishQos2(pub, "m");
        Publish got = sub.takePublishes().get(0);
        sub.send(new PubRec(got.packetId()));
        assertThat(sub.take()).containsExactly(new PubRel(got.packetId()));

        sub.send(pubRec(got.packetId(), ReasonCode.UNSPECIFIED_ERROR));

        assertThat(sub.isClosed()).isTrue();
    }

    @Test
    void errorPubRec_forgetsTheStoredMessageOfAPersistentSession() {
        broker.close();
        InMemorySessionStore store = new InMemorySessionStore(broker.clock());
        broker = TestBroker.start(BrokerSettings.defaults(), store);
        TestClient sub = Mqtt5.connected(broker, "sub", true, props(number(PropertyId.SESSION_EXPIRY_INTERVAL, 600)));
        sub.subscribe("a/b", QoS.EXACTLY_ONCE);
        TestClient pub = Mqtt5.connected(broker, "pub");
        publishQos2(pub, "m");
        Publish got = sub.takePublishes().get(0);
        assertThat(store.messageCount()).isEqualTo(1);

        sub.send(pubRec(got.packetId(), ReasonCode.UNSPECIFIED_ERROR));
        broker.drain();

        assertThat(store.messageCount()).isZero();
        assertThat(sub.onSession(Session::inflightCount)).isZero();
    }
}
