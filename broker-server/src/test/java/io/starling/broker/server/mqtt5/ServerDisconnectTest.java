package io.starling.broker.server.mqtt5;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.ReasonCode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The reason codes of a server DISCONNECT (MQTT 5 §3.14.2.1): keepalive timeout 0x8D, session taken
 * over 0x8E, server shutting down 0x8B, packet too large 0x95, protocol error 0x82, malformed 0x81.
 */
class ServerDisconnectTest {
    @RegisterExtension
    static final BrokerUnderTest broker = new BrokerUnderTest();

    @Test
    void silentClient_isDisconnectedWithKeepAliveTimeout_andItsWillPublished() throws Exception {
        Mqtt5BlockingClient watcher = HiveMq5.connected(broker, "disconnect-keepalive-watcher");
        try (Mqtt5BlockingClient.Mqtt5Publishes wills = watcher.publishes(MqttGlobalPublishFilter.ALL);
             RawMqttClient raw = Raw5.connected(broker.port(), Raw5.connect("disconnect-keepalive", true, 1,
                     Properties.EMPTY, RawMqttClient.will("disconnect/keepalive/will", "timed out",
                             QoS.AT_LEAST_ONCE, false)))) {
            watcher.subscribeWith().topicFilter("disconnect/keepalive/will").qos(MqttQos.AT_LEAST_ONCE).send();
            long start = System.nanoTime();

            Raw5.expectDisconnect(raw, ReasonCode.KEEP_ALIVE_TIMEOUT, Duration.ofSeconds(4));

            long waitedMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(waitedMillis).as("one and a half times the keepalive (MQTT-3.1.2-22)").isBetween(1000L, 3000L);
            assertThat(HiveMq5.payload(HiveMq5.receive(wills))).isEqualTo("timed out"); // MQTT-3.1.2-8
        } finally {
            HiveMq5.disconnectQuietly(watcher);
        }
    }

    @Test
    void takenOverConnection_seesSessionTakenOverInPaho() throws Exception {
        try (Paho5Client first = Paho5Client.connected(broker, "disconnect-takeover");
             Paho5Client second = Paho5Client.connected(broker, "disconnect-takeover")) {

            MqttDisconnectResponse response = first.awaitDisconnected();

            assertThat(response.getReturnCode()).isEqualTo(ReasonCode.SESSION_TAKEN_OVER);
            assertThat(second.isConnected()).isTrue();
        }
    }

    @Test
    void brokerShutdown_sendsServerShuttingDownToPahoAndRawClients() throws Exception {
        try (BrokerUnderTest.Dedicated dedicated = new BrokerUnderTest.Dedicated(c -> c);
             Paho5Client paho = Paho5Client.connected(dedicated.uri(), "disconnect-shutdown-paho");
             RawMqttClient raw = Raw5.connected(dedicated.port(), "disconnect-shutdown-raw")) {

            dedicated.stop();

            assertThat(paho.awaitDisconnected().getReturnCode()).isEqualTo(ReasonCode.SERVER_SHUTTING_DOWN);
            Raw5.expectDisconnect(raw, ReasonCode.SERVER_SHUTTING_DOWN);
        }
    }

    @Test
    void packetLargerThanMaxPacketSize_isDisconnectedWithPacketTooLarge() throws Exception {
        try (BrokerUnderTest.Dedicated limited = new BrokerUnderTest.Dedicated(
                c -> BrokerUnderTest.withMaxPacketSize(c, 1024));
             RawMqttClient raw = RawMqttClient.open(limited.port())) {
            ConnAck ack = raw.connect(Raw5.connect("disconnect-too-large", true, 60, Properties.EMPTY, null));
            assertThat(ack.properties().number(PropertyId.MAXIMUM_PACKET_SIZE, 0)).as("announced in CONNACK")
                    .isEqualTo(1024);

            raw.send(Raw5.publish("disconnect/large", "x".repeat(2000), QoS.AT_LEAST_ONCE, 1, Properties.EMPTY));

            Raw5.expectDisconnect(raw, ReasonCode.PACKET_TOO_LARGE);
        }
    }

    @Test
    void secondConnect_closesTheConnectionWithNothingSent_andTheWillPublished() throws Exception {
        Mqtt5BlockingClient watcher = HiveMq5.connected(broker, "disconnect-second-connect-watcher");
        try (Mqtt5BlockingClient.Mqtt5Publishes wills = watcher.publishes(MqttGlobalPublishFilter.ALL);
             RawMqttClient raw = Raw5.connected(broker.port(), Raw5.connect("disconnect-second-connect", true, 60,
                     Properties.EMPTY, RawMqttClient.will("disconnect/violation/will", "violated",
                             QoS.AT_LEAST_ONCE, false)))) {
            watcher.subscribeWith().topicFilter("disconnect/violation/will").qos(MqttQos.AT_LEAST_ONCE).send();

            raw.send(Raw5.connect("disconnect-second-connect", true, 60, Properties.EMPTY, null));

            // MQTT-3.1.0-2: closed, nothing sent, as by mosquitto 2.0.11 (which drops the will, here published)
            assertThat(raw.isClosedWithin(java.time.Duration.ofSeconds(2))).isTrue();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> raw.poll(java.time.Duration.ofMillis(1)))
                    .isInstanceOf(AssertionError.class);
            assertThat(HiveMq5.payload(HiveMq5.receive(wills))).isEqualTo("violated"); // MQTT-3.1.2-8
        } finally {
            HiveMq5.disconnectQuietly(watcher);
        }
    }

    @Test
    void publishWithASubscriptionIdentifier_isTaken() {
        try (RawMqttClient raw = Raw5.connected(broker.port(), "disconnect-publish-subid")) {
            raw.send(Raw5.publish("disconnect/subid", "x", QoS.AT_LEAST_ONCE, 1,
                    Properties.builder().number(PropertyId.SUBSCRIPTION_IDENTIFIER, 3).build()));

            // MQTT-3.3.4-6 forbids it, naming no reaction: mosquitto 2.0.11 drops the identifier
            assertThat(raw.receive(io.starling.mqtt.codec.PubAck.class).packetId()).isEqualTo(1);
        }
    }

    @Test
    void publishWithQos3_isDisconnectedWithMalformedPacket() {
        try (RawMqttClient raw = Raw5.connected(broker.port(), "disconnect-qos3")) {
            raw.sendHex("36 07 00 03 61 2f 62 00 01"); // PUBLISH, QoS bits 11, topic "a/b", id 1

            Raw5.expectDisconnect(raw, ReasonCode.MALFORMED_PACKET); // MQTT-3.3.1-4
        }
    }

    @Test
    void brokerShutdown_sendsServerShuttingDownToHiveMq() throws Exception {
        try (BrokerUnderTest.Dedicated dedicated = new BrokerUnderTest.Dedicated(c -> c)) {
            CompletableFuture<Throwable> cause = new CompletableFuture<>();
            Mqtt5BlockingClient client = HiveMq5.builder(dedicated.port()).identifier("disconnect-shutdown-hivemq")
                    .addDisconnectedListener(ctx -> cause.complete(ctx.getCause()))
                    .buildBlocking();
            client.connect();

            dedicated.stop();

            Throwable t = cause.get(5, TimeUnit.SECONDS);
            assertThat(t).isInstanceOf(Mqtt5DisconnectException.class);
            assertThat(((Mqtt5DisconnectException) t).getMqttMessage().getReasonCode())
                    .isEqualTo(Mqtt5DisconnectReasonCode.SERVER_SHUTTING_DOWN);
        }
    }
}
