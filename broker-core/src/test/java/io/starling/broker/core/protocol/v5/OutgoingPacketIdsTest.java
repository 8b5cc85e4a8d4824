package io.starling.broker.core.protocol.v5;

import static io.starling.broker.core.protocol.v5.Mqtt5.number;
import static io.starling.broker.core.protocol.v5.Mqtt5.props;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.BrokerSettings;
import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The packet ids of the messages the broker sends, as mosquitto 2.0.11 gives them (issue 15, measured
 * with raw packets): one counter per session, one more per QoS 1/2 message, taken when the message is
 * queued for the session (at routing, or when retained messages are sent on subscribe) and kept by it
 * even when it is dropped later, so that later messages show the gap; a clean start begins at 1 again.
 */
class OutgoingPacketIdsTest {
    private TestBroker broker = TestBroker.start();

    @AfterEach
    void tearDown() {
        broker.close();
    }

    private void offlineSubscriber() {
        TestClient sub = Mqtt5.connected(broker, "sub", false, Mqtt5.sessionExpiry(600));
        sub.subscribe("a/b", QoS.AT_LEAST_ONCE);
        sub.dropConnection();
    }

    private TestClient reconnect() {
        TestClient again = broker.newClient();
        assertThat(again.connect(Mqtt5.connect("sub", false, Mqtt5.sessionExpiry(600))).sessionPresent()).isTrue();
        return again;
    }

    private static List<Integer> ids(List<Publish> got) {
        return got.stream().map(Publish::packetId).toList();
    }

    @Test
    void aMessageThatExpiresWhileQueued_keepsItsPacketId() {
        offlineSubscriber();
        TestClient pub = Mqtt5.connected(broker, "pub");
        Mqtt5.publish(broker, pub, "a/b", QoS.AT_LEAST_ONCE, Properties.EMPTY, "m1");
        Mqtt5.publish(broker, pub, "a/b", QoS.AT_LEAST_ONCE, props(number(PropertyId.MESSAGE_EXPIRY_INTERVAL, 1)), "m2");
        Mqtt5.publish(broker, pub, "a/b", QoS.AT_LEAST_ONCE, Properties.EMPTY, "m3");
        broker.clock().advance(Duration.ofSeconds(3));

        TestClient sub = reconnect();
        List<Publish> got = sub.takePublishes();
        assertThat(got).extracting(Mqtt5::text).containsExactly("m1", "m3");
        assertThat(ids(got)).containsExactly(1, 3);
        got.forEach(sub::ack);

        pub.publish("a/b", QoS.AT_LEAST_ONCE, "m4");
        assertThat(ids(sub.takePublishes())).containsExactly(4);
    }

    @Test
    void aMessageDroppedBecauseTheQueueIsFull_keepsItsPacketId() {
        broker.close();
        broker = TestBroker.start(BrokerSettings.defaults().toBuilder().maxQueuedMessages(2).build());
        offlineSubscriber();
        TestClient pub = Mqtt5.connected(broker, "pub");
        for (int i = 1; i <= 5; i++) {
            pub.publish("a/b", QoS.AT_LEAST_ONCE, "m" + i);
        }

        TestClient sub = reconnect();
        List<Publish> got = sub.takePublishes();
        assertThat(got).extracting(Mqtt5::text).containsExactly("m1", "m2");
        assertThat(ids(got)).containsExactly(1, 2);
        got.forEach(sub::ack);

        pub.publish("a/b", QoS.AT_LEAST_ONCE, "m6");
        assertThat(ids(sub.takePublishes())).containsExactly(6);
    }

    @Test
    void qos0Messages_takeNoPacketId_retainedMessagesOnSubscribeDo() {
        TestClient sub = Mqtt5.connected(broker, "sub");
        sub.subscribe("a/b", QoS.AT_LEAST_ONCE);
        TestClient pub = Mqtt5.connected(broker, "pub");
        pub.publish("r", QoS.AT_LEAST_ONCE, true, "kept");
        pub.publish("a/b", QoS.AT_MOST_ONCE, "q0");
        pub.publish("a/b", QoS.AT_LEAST_ONCE, "m1");
        List<Publish> first = sub.takePublishes();
        assertThat(ids(first)).containsExactly(0, 1);
        first.forEach(sub::ack);

        sub.subscribe("r", QoS.AT_LEAST_ONCE);
        List<Publish> retained = sub.takePublishes();
        assertThat(ids(retained)).containsExactly(2);
        retained.forEach(sub::ack);
        pub.publish("a/b", QoS.AT_LEAST_ONCE, "m2");
        assertThat(ids(sub.takePublishes())).containsExactly(3);
    }

    @Test
    void anExpiredRetainedMessage_isNotSentOnSubscribe_andTakesNoPacketId() {
        TestClient pub = Mqtt5.connected(broker, "pub");
        pub.send(Mqtt5.publish(broker, "r", QoS.AT_LEAST_ONCE, true, pub.packetId(),
                props(number(PropertyId.MESSAGE_EXPIRY_INTERVAL, 1)), "old"));
        pub.publish("r2", QoS.AT_LEAST_ONCE, true, "kept");
        broker.clock().advance(Duration.ofSeconds(3));
        TestClient sub = Mqtt5.connected(broker, "sub");

        sub.subscribe("r", QoS.AT_LEAST_ONCE);
        assertThat(sub.takePublishes()).isEmpty();
        sub.subscribe("r2", QoS.AT_LEAST_ONCE);

        assertThat(ids(sub.takePublishes())).containsExactly(1);
    }

    @Test
    void cleanStart_beginsTheCounterAgainAt1() {
        TestClient sub = Mqtt5.connected(broker, "sub", false, Mqtt5.sessionExpiry(600));
        sub.subscribe("a/b", QoS.AT_LEAST_ONCE);
        TestClient pub = Mqtt5.connected(broker, "pub");
        pub.publish("a/b", QoS.AT_LEAST_ONCE, "m1");
        pub.publish("a/b", QoS.AT_LEAST_ONCE, "m2");
        assertThat(ids(sub.takePublishes())).containsExactly(1, 2);
        sub.dropConnection();

        TestClient fresh = Mqtt5.connected(broker, "sub", true, Mqtt5.sessionExpiry(600));
        fresh.subscribe("a/b", QoS.AT_LEAST_ONCE);
        pub.publish("a/b", QoS.AT_LEAST_ONCE, "m3");

        assertThat(ids(fresh.takePublishes())).containsExactly(1);
    }

    @Test
    void resumedSession_goesOnCountingWhereItStopped() {
        TestClient sub = Mqtt5.connected(broker, "sub", false, Mqtt5.sessionExpiry(600));
        sub.subscribe("a/b", QoS.AT_LEAST_ONCE);
        TestClient pub = Mqtt5.connected(broker, "pub");
        pub.publish("a/b", QoS.AT_LEAST_ONCE, "m1");
        List<Publish> got = sub.takePublishes();
        got.forEach(sub::ack);
        sub.dropConnection();

        TestClient again = reconnect();
        pub.publish("a/b", QoS.AT_LEAST_ONCE, "m2");

        assertThat(ids(again.takePublishes())).containsExactly(2);
    }
}
