package io.starling.broker.core.protocol.v5;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.Disconnect;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Packet;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.Property;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.ReasonCode;
import io.starling.mqtt.codec.SubAck;
import io.starling.mqtt.codec.Subscribe;
import io.starling.mqtt.codec.Subscription;
import io.starling.mqtt.codec.SubscriptionOptions;
import io.starling.mqtt.codec.Will;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * MQTT 5 packets and clients for the tests of this package: the {@link TestClient} helpers speak
 * 3.1.1, these build the 5.0 forms (CONNECT with properties, PUBLISH with properties, subscription
 * options) and wait for what real timers do (session expiry, will delay).
 */
final class Mqtt5 {
    /** The longest a test waits for a timer of about a second to fire. */
    static final Duration TIMER_WAIT = Duration.ofSeconds(5);

    private Mqtt5() {
    }

    // ---- CONNECT ----

    static Connect connect(String clientId, boolean cleanStart, Properties properties) {
        return connect(clientId, cleanStart, 60, null, properties);
    }

    static Connect connect(String clientId, boolean cleanStart, int keepAlive, Will will, Properties properties) {
        return new Connect(MqttVersion.MQTT_5, clientId, cleanStart, keepAlive, null, null, will, properties);
    }

    /** A 5.0 client connected with a clean start and no CONNECT properties (so Session Expiry 0). */
    static TestClient connected(TestBroker broker, String clientId) {
        return connected(broker, clientId, true, Properties.EMPTY);
    }

    static TestClient connected(TestBroker broker, String clientId, boolean cleanStart, Properties properties) {
        return connected(broker, connect(clientId, cleanStart, properties));
    }

    /** Sends {@code connect} from a new client and checks that it was accepted. */
    static TestClient connected(TestBroker broker, Connect connect) {
        TestClient c = broker.newClient();
        ConnAck ack = c.connect(connect);
        assertThat(ack.reasonCode()).as("CONNACK reason code").isEqualTo(ReasonCode.SUCCESS);
        return c;
    }

    // ---- properties ----

    static Properties props(Property... properties) {
        return Properties.of(List.of(properties));
    }

    static Property number(PropertyId id, long value) {
        return new Property.Number(id, value);
    }

    static Property text(PropertyId id, String value) {
        return new Property.Text(id, value);
    }

    static Properties sessionExpiry(long seconds) {
        return props(number(PropertyId.SESSION_EXPIRY_INTERVAL, seconds));
    }

    // ---- PUBLISH ----

    /** A PUBLISH as the decoder would hand it over, with a payload tracked by the broker's {@code Payloads}. */
    static Publish publish(TestBroker broker, String topic, QoS qos, int packetId, Properties properties,
                           String payload) {
        return publish(broker, topic, qos, false, packetId, properties, payload);
    }

    static Publish publish(TestBroker broker, String topic, QoS qos, boolean retain, int packetId,
                           Properties properties, String payload) {
        return new Publish(false, qos, retain, topic, packetId, properties, broker.payloads().of(payload));
    }

    /** Publishes from {@code client} with properties; returns the packet id (0 for QoS 0). Acks stay unread. */
    static int publish(TestBroker broker, TestClient client, String topic, QoS qos, Properties properties,
                       String payload) {
        int id = qos == QoS.AT_MOST_ONCE ? 0 : client.packetId();
        client.send(publish(broker, topic, qos, id, properties, payload));
        return id;
    }

    static String text(Publish p) {
        return p.payload().toString(StandardCharsets.UTF_8);
    }

    // ---- SUBSCRIBE ----

    static Subscription subscription(String filter, QoS qos, boolean noLocal, boolean retainAsPublished,
                                     int retainHandling) {
        return new Subscription(filter, new SubscriptionOptions(qos, noLocal, retainAsPublished, retainHandling));
    }

    static SubAck subscribe(TestClient client, Properties properties, Subscription... subscriptions) {
        client.send(new Subscribe(client.packetId(), List.of(subscriptions), properties));
        return client.expect(SubAck.class);
    }

    /** Subscribes with a Subscription Identifier. */
    static SubAck subscribe(TestClient client, int subscriptionId, Subscription... subscriptions) {
        return subscribe(client, props(number(PropertyId.SUBSCRIPTION_IDENTIFIER, subscriptionId)), subscriptions);
    }

    // ---- server DISCONNECT ----

    /** The packets written since the last read end with a DISCONNECT carrying {@code reasonCode}, and the connection is closed. */
    static void assertDisconnectedWith(TestClient client, int reasonCode) {
        List<Packet> got = client.take();
        assertThat(got).as("packets written to the client").isNotEmpty();
        assertThat(got.get(got.size() - 1)).isEqualTo(new Disconnect(reasonCode, Properties.EMPTY));
        assertThat(client.isClosed()).as("connection closed").isTrue();
    }

    // ---- timers ----

    /** Waits until {@code condition} holds, at most {@link #TIMER_WAIT}; fails naming {@code what}. */
    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TIMER_WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + TIMER_WAIT.toSeconds() + " s: " + what);
            }
            sleep(Duration.ofMillis(20));
        }
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    static Will will(String topic, String payload, QoS qos, Properties properties) {
        return new Will(topic, payload.getBytes(StandardCharsets.UTF_8), qos, false, properties);
    }
}
