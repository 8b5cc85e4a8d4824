package io.starling.broker.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.BrokerSettings;
import io.starling.broker.core.session.Session;
import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.mqtt.codec.PubAck;
import io.starling.mqtt.codec.PubRec;
import io.starling.mqtt.codec.PubRel;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The broker's limits: what is dropped (and counted) or refused when a client goes beyond them. */
class LimitsTest {
    private TestBroker broker;

    @AfterEach
    void tearDown() {
        broker.close();
    }

    /** Defaults with the given limits (0 keeps the default for the int limits). */
    private static BrokerSettings limits(int maxInflight, int maxQueued, long maxQueuedBytes, int messageSizeLimit,
                                         int maxTopicLevels) {
        BrokerSettings d = BrokerSettings.defaults();
        return d.toBuilder()
                .maxInflightMessages(maxInflight == 0 ? d.maxInflightMessages() : maxInflight)
                .maxQueuedMessages(maxQueued == 0 ? d.maxQueuedMessages() : maxQueued)
                .maxQueuedBytes(maxQueuedBytes)
                .messageSizeLimit(messageSizeLimit)
                .maxTopicLevels(maxTopicLevels == 0 ? d.maxTopicLevels() : maxTopicLevels)
                .build();
    }

    private static String text(Publish p) {
        return p.payload().toString(StandardCharsets.UTF_8);
    }

    @Test
    void fullQueue_dropsNewMessagesAndCountsThem() {
        broker = TestBroker.start(limits(2, 3, 0, 0, 0));
        TestClient sub = broker.connected("sub");
        sub.subscribe("a/b", QoS.AT_LEAST_ONCE);
        TestClient pub = broker.connected("pub");

        for (int i = 0; i < 10; i++) {
            pub.publish("a/b", QoS.AT_LEAST_ONCE, "m" + i);
        }

        assertThat(sub.onSession(Session::inflightCount)).isEqualTo(2);
        assertThat(sub.onSession(Session::queuedCount)).isEqualTo(3);
        assertThat(broker.core().drops().queueFull.sum()).isEqualTo(5);
        // The publisher is still acknowledged for every message (the drop is the subscriber's).
        assertThat(pub.take()).hasSize(10).allMatch(p -> p instanceof PubAck);
        // The oldest messages are kept, the newest dropped.
        List<String> got = drain(sub);
        assertThat(got).containsExactly("m0", "m1", "m2", "m3", "m4");
    }

    @Test
    void fullOfflineQueue_dropsAndCounts() {
        broker = TestBroker.start(limits(0, 3, 0, 0, 0));
        TestClient sub = broker.newClient();
        sub.connect("sub", false);
        sub.subscribe("a/b", QoS.AT_LEAST_ONCE);
        sub.dropConnection();
        TestClient pub = broker.connected("pub");

        for (int i = 0; i < 5; i++) {
            pub.publish("a/b", QoS.AT_LEAST_ONCE, "m" + i);
        }

        assertThat(sub.onSession(Session::queuedCount)).isEqualTo(3);
        assertThat(broker.core().drops().queueFull.sum()).isEqualTo(2);
        TestClient again = broker.newClient();
        again.connect("sub", false);
        assertThat(drain(again)).containsExactly("m0", "m1", "m2");
    }

    @Test
    void queuedBytesLimit_dropsMessagesThatWouldExceedIt() {
        broker = TestBroker.start(limits(1, 0, 10, 0, 0));
        TestClient sub = broker.connected("sub");
        sub.subscribe("a/b", QoS.AT_LEAST_ONCE);
        TestClient pub = broker.connected("pub");

        pub.publish("a/b", QoS.AT_LEAST_ONCE, "inflight"); // the window is not the queue
        pub.publish("a/b", QoS.AT_LEAST_ONCE, "123456");
        pub.publish("a/b", QoS.AT_LEAST_ONCE, "7890");
        pub.publish("a/b", QoS.AT_LEAST_ONCE, "x");

        assertThat(sub.onSession(Session::queuedCount)).isEqualTo(2);
        assertThat(broker.core().drops().queueFull.sum()).isEqualTo(1);
        assertThat(drain(sub)).containsExactly("inflight", "123456", "7890");
    }

    @Test
    void publishWithMoreTopicLevelsThanAllowed_closesTheConnection() {
        broker = TestBroker.start(limits(0, 0, 0, 0, 3));
        TestClient sub = broker.connected("sub");
        sub.subscribe("#", QoS.AT_MOST_ONCE);
        TestClient pub = broker.connected("pub");

        pub.publish("a/b/c", QoS.AT_MOST_ONCE, "fits");
        pub.publish("a/b/c/d", QoS.AT_MOST_ONCE, "too deep");

        assertThat(pub.isClosed()).isTrue();
        assertThat(sub.takePublishes()).extracting(LimitsTest::text).containsExactly("fits");
        broker.payloads().assertAllReleased();
    }

    @Test
    void subscribeWithMoreFilterLevelsThanAllowed_isMalformed() {
        broker = TestBroker.start(limits(0, 0, 0, 0, 3));
        TestClient sub = broker.connected("sub");

        assertThat(sub.subscribe("a/+/#", QoS.AT_MOST_ONCE).reasonCodes()).containsExactly(0);
        sub.send(new io.starling.mqtt.codec.Subscribe(7, java.util.List.of(new io.starling.mqtt.codec.Subscription(
                "a/b/+/#", io.starling.mqtt.codec.SubscriptionOptions.of(QoS.AT_MOST_ONCE))), io.starling.mqtt.codec.Properties.EMPTY));

        assertThat(sub.take()).isEmpty(); // 3.1.1: closed, no SUBACK failure code (mosquitto 2.0.11)
        assertThat(sub.isClosed()).isTrue();
    }

    @Test
    void willWithMoreTopicLevelsThanAllowed_refusesTheConnect() {
        broker = TestBroker.start(limits(0, 0, 0, 0, 2));
        TestClient c = broker.newClient();

        c.send(TestClient.connectPacket("c", true, new io.starling.mqtt.codec.Will("a/b/c", new byte[0],
                QoS.AT_MOST_ONCE, false, io.starling.mqtt.codec.Properties.EMPTY)));

        assertThat(c.isClosed()).isTrue();
    }

    @Test
    void messageAboveSizeLimit_isDroppedCountedAndStillAcknowledged() {
        broker = TestBroker.start(limits(0, 0, 0, 4, 0));
        TestClient sub = broker.connected("sub");
        sub.subscribe("a/b", QoS.AT_LEAST_ONCE);
        TestClient pub = broker.connected("pub");

        int big = pub.publish("a/b", QoS.AT_LEAST_ONCE, "12345");
        int small = pub.publish("a/b", QoS.AT_LEAST_ONCE, "1234");
        int bigQos2 = pub.publish("a/b", QoS.EXACTLY_ONCE, "123456");

        assertThat(pub.take()).containsExactly(new PubAck(big), new PubAck(small), new PubRec(bigQos2));
        assertThat(broker.core().drops().packetTooLarge.sum()).isEqualTo(2);
        assertThat(drain(sub)).containsExactly("1234");
        assertThat(pub.isClosed()).isFalse();
    }

    @Test
    void qos2FloodReusingPacketIdsWithoutPubRel_keepsIncomingStateBounded() {
        broker = TestBroker.start();
        TestClient sub = broker.connected("sub");
        sub.subscribe("a/b", QoS.AT_MOST_ONCE);
        TestClient pub = broker.connected("pub");

        for (int i = 0; i < 1000; i++) {
            pub.send(pub.publishPacket("a/b", QoS.EXACTLY_ONCE, false, 1 + i % 10, "m" + i));
        }

        assertThat(pub.onSession(Session::incomingQos2Count)).isLessThanOrEqualTo(10);
        assertThat(sub.takePublishes()).as("nothing is passed on before PUBREL").isEmpty();
        assertThat(pub.take()).hasSize(1000).allMatch(p -> p instanceof PubRec);
        for (int id = 1; id <= 10; id++) {
            pub.send(new PubRel(id));
        }
        assertThat(pub.onSession(Session::incomingQos2Count)).isZero();
        broker.payloads().assertAllReleased();
    }

    /** Acknowledges everything the client receives until nothing more comes; returns the payloads. */
    private static List<String> drain(TestClient c) {
        List<String> all = new java.util.ArrayList<>();
        List<Publish> batch = c.takePublishes();
        while (!batch.isEmpty()) {
            batch.forEach(p -> all.add(text(p)));
            batch.forEach(c::ack);
            batch = c.takePublishes();
        }
        return all;
    }

    @Test
    void retainedPublishWhileRetainIsUnavailable_closesTheConnectionAndStoresNothing() {
        broker = TestBroker.start(BrokerSettings.defaults().toBuilder().retainAvailable(false).build());
        TestClient pub = broker.connected("pub");

        pub.send(new Publish(false, QoS.AT_MOST_ONCE, true, "a/b", 0, io.starling.mqtt.codec.Properties.EMPTY,
                broker.payloads().of("kept?")));

        assertThat(pub.isClosed()).isTrue();
        assertThat(broker.core().retained().size()).isZero();
        broker.payloads().assertAllReleased();
    }
}
