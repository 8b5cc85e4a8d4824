package io.starling.broker.server.mqtt5;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.PubAck;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.ReasonCode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Message Expiry Interval (MQTT 5 §3.3.2.3.3): an expired message is not delivered
 * (MQTT-3.3.2-5), and a delivered one carries the time it has left (MQTT-3.3.2-6).
 */
class MessageExpiryTest {
    @RegisterExtension
    static final BrokerUnderTest broker = new BrokerUnderTest();

    private static Mqtt5BlockingClient publisher;

    @BeforeAll
    static void connectPublisher() {
        publisher = HiveMq5.connected(broker, "message-expiry-publisher");
    }

    @AfterAll
    static void disconnectPublisher() {
        HiveMq5.disconnectQuietly(publisher);
    }

    @Test
    void expiredMessage_queuedForAnOfflineSession_isNotDelivered() throws Exception {
        try (Paho5Client client = new Paho5Client(broker.uri(), "message-expiry-offline")) {
            client.connect(Paho5Client.options(true, 60));
            client.subscribe("message-expiry/offline", 1);
            client.disconnect();
            long expiredBefore = broker.core().drops().expired.sum();

            publish("message-expiry/offline", "expires", 1);
            publish("message-expiry/offline", "lasts", 60);
            Thread.sleep(2000);
            client.connect(Paho5Client.options(false, 60));

            assertThat(client.receive().payload()).isEqualTo("lasts");
            assertThat(client.poll(Duration.ofMillis(300))).isEmpty();
            assertThat(broker.core().drops().expired.sum() - expiredBefore).isEqualTo(1);
        } finally {
            endSession("message-expiry-offline");
        }
    }

    @Test
    void messageDeliveredAfterWaitingOffline_carriesTheTimeItHasLeft() throws Exception {
        try (Paho5Client client = new Paho5Client(broker.uri(), "message-expiry-left")) {
            client.connect(Paho5Client.options(true, 60));
            client.subscribe("message-expiry/left", 1);
            client.disconnect();

            startOfASecond();
            publish("message-expiry/left", "waits", 30);
            Thread.sleep(1000);
            client.connect(Paho5Client.options(false, 60));

            Paho5Client.Received r = client.receive();
            assertThat(r.payload()).isEqualTo("waits");
            assertThat(r.properties().getMessageExpiryInterval()).as("30 s less the one wall-clock second it waited into, as mosquitto counts")
                    .isEqualTo(29L);
        } finally {
            endSession("message-expiry-left");
        }
    }

    @Test
    void messageDeliveredAtOnce_carriesAnExpiryNoGreaterThanTheOriginal() throws Exception {
        Mqtt5BlockingClient subscriber = HiveMq5.connected(broker, "message-expiry-online");
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = subscriber.publishes(MqttGlobalPublishFilter.ALL)) {
            subscriber.subscribeWith().topicFilter("message-expiry/online").qos(MqttQos.AT_LEAST_ONCE).send();

            publish("message-expiry/online", "fresh", 120);

            Mqtt5Publish received = HiveMq5.receive(publishes);
            assertThat(received.getMessageExpiryInterval()).isPresent();
            assertThat(received.getMessageExpiryInterval().getAsLong()).isBetween(119L, 120L);
        } finally {
            HiveMq5.disconnectQuietly(subscriber);
        }
    }

    @Test
    void messageWithoutExpiry_isDeliveredWithoutExpiry() throws Exception {
        try (Paho5Client client = Paho5Client.connected(broker, "message-expiry-none")) {
            client.subscribe("message-expiry/none", 1);

            HiveMq5.publish(publisher, "message-expiry/none", "forever", MqttQos.AT_LEAST_ONCE);

            assertThat(client.receive().properties().getMessageExpiryInterval()).isNull();
        }
    }

    @Test
    void expiredRetainedMessage_isNotSentToANewSubscriber() throws Exception {
        publisher.publishWith().topic("message-expiry/retained").qos(MqttQos.AT_LEAST_ONCE).retain(true)
                .messageExpiryInterval(1).payload("short-lived".getBytes(StandardCharsets.UTF_8)).send();
        Thread.sleep(2100); // past the second after its arrival second: expired wherever in a second it came
        try (Paho5Client client = Paho5Client.connected(broker, "message-expiry-retained")) {
            client.subscribe("message-expiry/retained", 1);

            assertThat(client.poll(Duration.ofMillis(300))).isEmpty();
        } finally {
            publisher.publishWith().topic("message-expiry/retained").retain(true).send(); // clears it
        }
    }

    @Test
    void retainedMessage_isSentToANewSubscriberWithTheTimeItHasLeft() throws Exception {
        startOfASecond();
        publisher.publishWith().topic("message-expiry/retained-left").qos(MqttQos.AT_LEAST_ONCE).retain(true)
                .messageExpiryInterval(30).payload("stored".getBytes(StandardCharsets.UTF_8)).send();
        Thread.sleep(1000);
        try (Paho5Client client = Paho5Client.connected(broker, "message-expiry-retained-left")) {
            client.subscribe("message-expiry/retained-left", 1);

            Paho5Client.Received r = client.receive();
            assertThat(r.message().isRetained()).isTrue();
            assertThat(r.properties().getMessageExpiryInterval()).isEqualTo(29L);
        } finally {
            publisher.publishWith().topic("message-expiry/retained-left").retain(true).send();
        }
    }

    @Test
    void messageWithExpiryIntervalZero_isDeliveredToAnOnlineSubscriber() throws Exception {
        try (Paho5Client client = Paho5Client.connected(broker, "message-expiry-zero");
             RawMqttClient raw = Raw5.connected(broker.port(), "message-expiry-zero-pub")) {
            client.subscribe("message-expiry/zero", 1);

            raw.send(Raw5.publish("message-expiry/zero", "at once", QoS.AT_LEAST_ONCE, 1,
                    Properties.builder().number(PropertyId.MESSAGE_EXPIRY_INTERVAL, 0).build()));

            assertThat(raw.receive(PubAck.class).reasonCode()).isEqualTo(ReasonCode.SUCCESS);
            assertThat(client.receive().payload()).isEqualTo("at once");
        }
    }

    private static void publish(String topic, String payload, long expirySeconds) {
        publisher.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).messageExpiryInterval(expirySeconds)
                .payload(payload.getBytes(StandardCharsets.UTF_8)).send();
    }

    private static void endSession(String clientId) {
        try (RawMqttClient raw = Raw5.connected(broker.port(), clientId)) {
            raw.disconnect();
        }
    }

    /**
     * Waits until just after the wall clock starts a second: the broker counts expiry in whole seconds
     * of the wall clock (as mosquitto), so a test that waits 1 s from here is in the next second for most of a second.
     */
    private static void startOfASecond() throws InterruptedException {
        Thread.sleep(1050 - System.currentTimeMillis() % 1000);
    }
}
