package io.starling.broker.server.mqtt5;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.Disconnect;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.ReasonCode;
import java.time.Duration;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Session Expiry Interval (MQTT 5 §3.1.2.11.2, §3.14.2.2.2): how long the broker keeps a session,
 * its subscriptions and the messages for it after its connection is gone, and how a DISCONNECT
 * changes that.
 */
class SessionExpiryTest {
    @RegisterExtension
    static final BrokerUnderTest broker = new BrokerUnderTest();

    private static Mqtt5BlockingClient publisher;

    @BeforeAll
    static void connectPublisher() {
        publisher = HiveMq5.connected(broker, "expiry-publisher");
    }

    @AfterAll
    static void disconnectPublisher() {
        HiveMq5.disconnectQuietly(publisher);
    }

    @Test
    void sessionExpiryZero_keepsNothingAfterTheConnectionEnds() throws Exception {
        try (Paho5Client client = new Paho5Client(broker.uri(), "expiry-zero")) {
            client.connect(Paho5Client.options(true, 0));
            client.subscribe("expiry/zero", 1);
            client.disconnect();
            awaitSessionGone("expiry-zero", Duration.ofSeconds(2));

            HiveMq5.publish(publisher, "expiry/zero", "while offline", MqttQos.AT_LEAST_ONCE);
            IMqttToken token = client.connect(Paho5Client.options(false, 0));

            assertThat(token.getSessionPresent()).isFalse();
            assertThat(client.poll(Duration.ofMillis(300))).as("nothing was kept for the session").isEmpty();
        }
    }

    @Test
    void messagesPublishedWhileOffline_areDeliveredOnReconnectWithinTheExpiry() throws Exception {
        try (Paho5Client client = new Paho5Client(broker.uri(), "expiry-two")) {
            client.connect(Paho5Client.options(true, 2));
            client.subscribe("expiry/two", 1);
            client.disconnect();

            for (int i = 1; i <= 3; i++) {
                HiveMq5.publish(publisher, "expiry/two", "offline " + i, MqttQos.AT_LEAST_ONCE);
            }
            IMqttToken token = client.connect(Paho5Client.options(false, 2));

            assertThat(token.getSessionPresent()).isTrue();
            assertThat(client.receive(3)).extracting(Paho5Client.Received::payload)
                    .containsExactly("offline 1", "offline 2", "offline 3");
        } finally {
            endSession("expiry-two");
        }
    }

    @Test
    void sessionIsGone_afterItsExpiryInterval() throws Exception {
        try (Paho5Client client = new Paho5Client(broker.uri(), "expiry-ends")) {
            client.connect(Paho5Client.options(true, 2));
            client.subscribe("expiry/ends", 1);
            client.disconnect();
            long disconnectedAt = System.nanoTime();

            Thread.sleep(1000);
            assertThat(broker.core().sessions().get("expiry-ends")).as("kept within its 2 s").isNotNull();
            awaitSessionGone("expiry-ends", Duration.ofSeconds(3));
            long keptMillis = (System.nanoTime() - disconnectedAt) / 1_000_000;
            HiveMq5.publish(publisher, "expiry/ends", "after expiry", MqttQos.AT_LEAST_ONCE);
            IMqttToken token = client.connect(Paho5Client.options(false, 2));

            assertThat(keptMillis).as("kept about its expiry interval").isBetween(1900L, 3500L);
            assertThat(token.getSessionPresent()).isFalse();
            assertThat(client.poll(Duration.ofMillis(300))).as("the subscription expired with the session").isEmpty();
        } finally {
            endSession("expiry-ends");
        }
    }

    @Test
    void disconnectWithSessionExpiryZero_endsAPersistentSessionAtOnce() throws Exception {
        try (Paho5Client client = new Paho5Client(broker.uri(), "expiry-lowered")) {
            client.connect(Paho5Client.options(true, 60));
            client.subscribe("expiry/lowered", 1);
            MqttProperties properties = new MqttProperties();
            properties.setSessionExpiryInterval(0L);
            client.disconnect(ReasonCode.NORMAL_DISCONNECTION, properties);
            awaitSessionGone("expiry-lowered", Duration.ofSeconds(2));

            IMqttToken token = client.connect(Paho5Client.options(false, 60));

            assertThat(token.getSessionPresent()).isFalse();
        } finally {
            endSession("expiry-lowered");
        }
    }

    @Test
    void disconnectWithLongerSessionExpiry_keepsTheSessionPastTheConnectInterval() throws Exception {
        Mqtt5BlockingClient client = HiveMq5.client(broker, "expiry-raised");
        Mqtt5BlockingClient.Mqtt5Publishes publishes = client.publishes(MqttGlobalPublishFilter.ALL);
        try {
            client.connectWith().cleanStart(true).sessionExpiryInterval(1).send();
            client.subscribeWith().topicFilter("expiry/raised").qos(MqttQos.AT_LEAST_ONCE).send();
            client.disconnectWith().sessionExpiryInterval(60).send();

            Thread.sleep(1500); // past the 1 s of CONNECT
            HiveMq5.publish(publisher, "expiry/raised", "kept", MqttQos.AT_LEAST_ONCE);
            boolean present = client.connectWith().cleanStart(false).sessionExpiryInterval(0).send().isSessionPresent();

            assertThat(present).isTrue();
            assertThat(HiveMq5.payload(HiveMq5.receive(publishes))).isEqualTo("kept");
        } finally {
            publishes.close();
            HiveMq5.disconnectQuietly(client);
        }
    }

    @Test
    void disconnectSettingAnExpiryAfterConnectSetZero_isAProtocolError() {
        try (RawMqttClient raw = Raw5.connected(broker.port(), "expiry-raise-from-zero")) {
            raw.send(new Disconnect(ReasonCode.NORMAL_DISCONNECTION,
                    Properties.builder().number(PropertyId.SESSION_EXPIRY_INTERVAL, 10).build()));

            Raw5.expectDisconnect(raw, ReasonCode.PROTOCOL_ERROR); // MQTT-3.14.2-2
        }
    }

    @Test
    void connectedSession_doesNotExpire() throws Exception {
        try (Paho5Client online = new Paho5Client(broker.uri(), "expiry-online")) {
            online.connect(Paho5Client.options(true, 1));
            Thread.sleep(1300);

            assertThat(online.isConnected()).isTrue();
            assertThat(broker.core().sessions().get("expiry-online")).as("the expiry runs only while offline")
                    .isNotNull();
        }
    }

    private static void awaitSessionGone(String clientId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (broker.core().sessions().get(clientId) != null) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the session of " + clientId + " still exists after " + timeout.toMillis()
                        + " ms");
            }
            Thread.sleep(20);
        }
    }

    private static void endSession(String clientId) {
        try (RawMqttClient raw = Raw5.connected(broker.port(), clientId)) {
            raw.disconnect();
        }
    }
}
