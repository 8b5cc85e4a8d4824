package io.starling.broker.core.protocol.v5;

import static io.starling.broker.core.protocol.v5.Mqtt5.number;
import static io.starling.broker.core.protocol.v5.Mqtt5.props;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.starling.broker.core.session.Session;
import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.mqtt.codec.MqttEncoder;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client's Maximum Packet Size (MQTT 5 §3.1.2.11.4): a PUBLISH larger than the subscriber
 * accepts is not sent to it, as if delivered (MQTT-3.1.2-25), counted as dropped, and takes no place
 * in its inflight window; other subscribers still get it.
 */
class MaximumPacketSizeTest {
    private final TestBroker broker = TestBroker.start();

    @AfterEach
    void tearDown() {
        broker.close();
    }

    private TestClient subscriber(String clientId, Properties connectProperties, QoS qos) {
        TestClient sub = Mqtt5.connected(broker, clientId, true, connectProperties);
        sub.subscribe("a/b", qos);
        return sub;
    }

    private static Properties maximumPacketSize(long bytes) {
        return props(number(PropertyId.MAXIMUM_PACKET_SIZE, bytes));
    }

    /** The size of the PUBLISH a 5.0 subscriber without aliases gets for a QoS 1 payload of {@code length} bytes on a/b. */
    private static int deliveredSize(int length) {
        return MqttEncoder.encodedSize(new Publish(false, QoS.AT_LEAST_ONCE, false, "a/b", 1, Properties.EMPTY,
                Unpooled.wrappedBuffer(new byte[length])), MqttVersion.MQTT_5);
    }

    @Test
    void messageLargerThanTheSubscriberAccepts_isDroppedForItAloneAndCounted() {
        TestClient small = subscriber("small", maximumPacketSize(100), QoS.AT_LEAST_ONCE);
        TestClient big = subscriber("big", Properties.EMPTY, QoS.AT_LEAST_ONCE);
        TestClient pub = Mqtt5.connected(broker, "pub");

        pub.publish("a/b", QoS.AT_LEAST_ONCE, "x".repeat(200));

        small.expectNothing();
        List<Publish> got = big.takePublishes();
        assertThat(got).extracting(p -> p.payload().readableBytes()).containsExactly(200);
        assertThat(broker.core().drops().packetTooLarge.sum()).isEqualTo(1);
        assertThat(small.onSession(Session::inflightCount)).as("not kept inflight").isZero();
        assertThat(small.onSession(Session::queuedCount)).isZero();
        big.ack(got.get(0));
        broker.payloads().assertAllReleased();
    }

    @Test
    void droppedMessage_leavesTheWindowFreeForTheNextOne() {
        TestClient small = subscriber("small", props(number(PropertyId.MAXIMUM_PACKET_SIZE, 100),
                number(PropertyId.RECEIVE_MAXIMUM, 1)), QoS.AT_LEAST_ONCE);
        TestClient pub = Mqtt5.connected(broker, "pub");

        pub.publish("a/b", QoS.AT_LEAST_ONCE, "x".repeat(200));
        pub.publish("a/b", QoS.AT_LEAST_ONCE, "fits");

        assertThat(small.takePublishes()).extracting(Mqtt5::text).containsExactly("fits");
    }

    @Test
    void qos0MessageLargerThanTheSubscriberAccepts_isDroppedAndCounted() {
        TestClient small = subscriber("small", maximumPacketSize(100), QoS.AT_MOST_ONCE);
        TestClient pub = Mqtt5.connected(broker, "pub");

        pub.publish("a/b", QoS.AT_MOST_ONCE, "x".repeat(200));

        small.expectNothing();
        assertThat(broker.core().drops().packetTooLarge.sum()).isEqualTo(1);
        broker.payloads().assertAllReleased();
    }

    @Test
    void packetOfExactlyTheMaximumSize_isSentAndOneByteMoreIsNot() {
        int fits = 100 - deliveredSize(0);
        assertThat(deliveredSize(fits)).isEqualTo(100);
        TestClient small = subscriber("small", maximumPacketSize(100), QoS.AT_LEAST_ONCE);
        TestClient pub = Mqtt5.connected(broker, "pub");

        pub.publish("a/b", QoS.AT_LEAST_ONCE, "x".repeat(fits));
        pub.publish("a/b", QoS.AT_LEAST_ONCE, "y".repeat(fits + 1));

        List<Publish> got = small.takePublishes();
        assertThat(got).extracting(p -> p.payload().readableBytes()).containsExactly(fits);
        assertThat(broker.core().drops().packetTooLarge.sum()).isEqualTo(1);
    }

    @Test
    void droppedMessage_doesNotUseUpATopicAliasTheClientNeverSaw() {
        TestClient small = subscriber("small", props(number(PropertyId.MAXIMUM_PACKET_SIZE, 100),
                number(PropertyId.TOPIC_ALIAS_MAXIMUM, 2)), QoS.AT_MOST_ONCE);
        TestClient pub = Mqtt5.connected(broker, "pub");

        pub.publish("a/b", QoS.AT_MOST_ONCE, "x".repeat(200));
        pub.publish("a/b", QoS.AT_MOST_ONCE, "fits");

        List<Publish> got = small.takePublishes();
        assertThat(got).hasSize(1);
        assertThat(got.get(0).topic()).as("the first PUBLISH the client sees names its topic").isEqualTo("a/b");
        assertThat(got.get(0).properties().number(PropertyId.TOPIC_ALIAS, 0)).isEqualTo(1);
    }

    @Test
    void queuedMessageTooLargeForTheReconnectedClient_isDroppedAndTheRestDelivered() {
        TestClient first = Mqtt5.connected(broker, "small", true, Mqtt5.sessionExpiry(60));
        first.subscribe("a/b", QoS.AT_LEAST_ONCE);
        first.dropConnection();
        TestClient pub = Mqtt5.connected(broker, "pub");
        pub.publish("a/b", QoS.AT_LEAST_ONCE, "x".repeat(200));
        pub.publish("a/b", QoS.AT_LEAST_ONCE, "fits");

        TestClient again = broker.newClient();
        again.connect(Mqtt5.connect("small", false, props(number(PropertyId.SESSION_EXPIRY_INTERVAL, 60),
                number(PropertyId.MAXIMUM_PACKET_SIZE, 100))));

        List<Publish> got = again.takePublishes();
        assertThat(got).extracting(Mqtt5::text).containsExactly("fits");
        assertThat(broker.core().drops().packetTooLarge.sum()).isEqualTo(1);
        again.ack(got.get(0));
        assertThat(again.onSession(Session::inflightCount)).isZero();
        broker.payloads().assertAllReleased();
    }
}
