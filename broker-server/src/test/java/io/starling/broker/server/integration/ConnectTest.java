package io.starling.broker.server.integration;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAck;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.Packet;
import io.starling.mqtt.codec.PacketType;
import io.starling.mqtt.codec.PingReq;
import io.starling.mqtt.codec.PingResp;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PubAck;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.SubAck;
import io.starling.mqtt.codec.Subscribe;
import io.starling.mqtt.codec.Subscription;
import io.starling.mqtt.codec.SubscriptionOptions;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.ReasonCode;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** CONNECT and CONNACK (3.1.1 §3.1, §3.2; 3.1), through real clients and raw bytes. */
@Timeout(20)
class ConnectTest {
    @RegisterExtension
    static final RunningBroker broker = new RunningBroker();

    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(2);

    @Test
    void pahoConnect_isAcceptedWithoutSessionPresent() throws Exception {
        try (PahoClient c = new PahoClient(broker.uri(), "connect-paho")) {
            IMqttToken token = c.connect(PahoClient.options(true));

            assertThat(c.isConnected()).isTrue();
            assertThat(token.getSessionPresent()).isFalse();
        }
    }

    @Test
    void hiveMqConnect_isAcceptedWithoutSessionPresent() {
        Mqtt3BlockingClient c = HiveMqClients.blocking(broker, "connect-hivemq");
        try {
            Mqtt3ConnAck ack = c.connect();

            assertThat(ack.getReturnCode()).isEqualTo(Mqtt3ConnAckReturnCode.SUCCESS);
            assertThat(ack.isSessionPresent()).isFalse();
        } finally {
            HiveMqClients.disconnectQuietly(c);
        }
    }

    @Test
    void mqtt31PahoClient_connectsAndExchangesMessages() throws Exception {
        MqttConnectOptions options = PahoClient.options(true);
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1);
        try (PahoClient sub = new PahoClient(broker.uri(), "connect-v31-sub");
             PahoClient pub = new PahoClient(broker.uri(), "connect-v31-pub")) {
            sub.connect(options);
            pub.connect(options);
            sub.subscribe("connect/v31", 1);

            pub.publish("connect/v31", "over 3.1", 1);

            PahoClient.Received m = sub.receive();
            assertThat(m.payload()).isEqualTo("over 3.1");
            assertThat(m.qos()).isEqualTo(1);
        }
    }

    @Test
    void emptyClientIdWithCleanSession_isAcceptedWithAnAssignedId() {
        try (RawMqttClient c = RawMqttClient.open(broker.port())) {
            ConnAck ack = c.connect("", true, 60);

            assertThat(ack.reasonCode()).isEqualTo(ReasonCode.V3_ACCEPTED); // MQTT-3.1.3-6
            c.ping();
        }
    }

    @Test
    void emptyClientIdWithPersistentSession_isRefusedWithIdentifierRejected() {
        try (RawMqttClient c = RawMqttClient.open(broker.port())) {
            ConnAck ack = c.connect("", false, 60);

            assertThat(ack.reasonCode()).isEqualTo(ReasonCode.V3_IDENTIFIER_REJECTED); // MQTT-3.1.3-8
            assertThat(ack.sessionPresent()).isFalse();
            assertThat(c.isClosedWithin(CLOSE_TIMEOUT)).isTrue();
        }
    }

    @Test
    void emptyClientIdOnMqtt31_isRefusedWithIdentifierRejected() {
        try (RawMqttClient c = RawMqttClient.open(broker.port())) {
            ConnAck ack = c.connect(RawMqttClient.connectPacket(MqttVersion.MQTT_3_1, "", true, 60, null));

            assertThat(ack.reasonCode()).isEqualTo(ReasonCode.V3_IDENTIFIER_REJECTED); // 3.1 requires 1-23 chars
            assertThat(c.isClosedWithin(CLOSE_TIMEOUT)).isTrue();
        }
    }

    @Test
    void unsupportedProtocolLevel_isRefusedWithUnacceptableProtocolVersionThenClosed() {
        try (RawMqttClient c = RawMqttClient.open(broker.port())) {
            // CONNECT "MQTT" level 6, clean session, keepalive 60, client id "p6"
            c.sendHex("10 0e  00 04 4d 51 54 54  06  02  00 3c  00 02 70 36");

            ConnAck ack = c.receive(ConnAck.class);
            assertThat(ack.reasonCode()).isEqualTo(ReasonCode.V3_UNACCEPTABLE_PROTOCOL_VERSION); // MQTT-3.1.2-2
            assertThat(c.isClosedWithin(CLOSE_TIMEOUT)).isTrue();
        }
    }

    /** Every packet type but CONNECT, as the first packet of a connection [MQTT-3.1.0-1]. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "reserved type 0 | 00 00",
        "CONNACK         | 20 02 00 00",
        "PUBLISH QoS 0   | 30 05 00 03 61 2f 62",
        "PUBLISH QoS 1   | 32 07 00 03 61 2f 62 00 01",
        "PUBACK          | 40 02 00 01",
        "PUBREC          | 50 02 00 01",
        "PUBREL          | 62 02 00 01",
        "PUBCOMP         | 70 02 00 01",
        "SUBSCRIBE       | 82 06 00 01 00 01 61 00",
        "SUBACK          | 90 03 00 01 00",
        "UNSUBSCRIBE     | a2 05 00 01 00 01 61",
        "UNSUBACK        | b0 02 00 01",
        "PINGREQ         | c0 00",
        "PINGRESP        | d0 00",
        "DISCONNECT      | e0 00",
        "AUTH            | f0 00",
    })
    void firstPacketOtherThanConnect_closesTheConnection(String type, String hex) {
        try (RawMqttClient c = RawMqttClient.open(broker.port())) {
            c.sendHex(hex);

            assertThat(c.isClosedWithin(CLOSE_TIMEOUT)).as("closed after %s", type).isTrue();
        }
    }

    @Test
    void secondConnect_closesTheConnection() {
        try (RawMqttClient c = RawMqttClient.open(broker.port())) {
            c.connect("connect-twice", true, 60);

            c.send(RawMqttClient.connectPacket("connect-twice", true, 60));

            assertThat(c.isClosedWithin(CLOSE_TIMEOUT)).isTrue(); // MQTT-3.1.0-2
        }
    }

    /** CONNECT, SUBSCRIBE, PUBLISH QoS 1 to the new subscription, PINGREQ: one write, as a fast client sends them. */
    private static byte[] connectAndMore(String clientId, String topic) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(RawMqttClient.encode(RawMqttClient.connectPacket(clientId, true, 60), MqttVersion.MQTT_3_1_1));
        out.writeBytes(RawMqttClient.encode(new Subscribe(1, List.of(new Subscription(topic,
                SubscriptionOptions.of(QoS.AT_LEAST_ONCE))), Properties.EMPTY), MqttVersion.MQTT_3_1_1));
        out.writeBytes(RawMqttClient.encode(RawMqttClient.publishPacket(topic, "pipelined", QoS.AT_LEAST_ONCE, 2),
                MqttVersion.MQTT_3_1_1));
        out.writeBytes(RawMqttClient.encode(PingReq.INSTANCE, MqttVersion.MQTT_3_1_1));
        return out.toByteArray();
    }

    private static void assertPipelinedPacketsAnswered(RawMqttClient c, String topic) {
        assertThat(c.receive(ConnAck.class).reasonCode()).isEqualTo(ReasonCode.V3_ACCEPTED);
        assertThat(c.receive(SubAck.class).reasonCodes()).containsExactly(1);
        List<Packet> rest = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            rest.add(c.receive());
        }
        assertThat(rest).filteredOn(p -> p instanceof PubAck).extracting(p -> ((PubAck) p).packetId())
                .containsExactly(2);
        assertThat(rest).filteredOn(p -> p instanceof Publish).extracting(p -> ((Publish) p).topic())
                .containsExactly(topic);
        // The replies keep the order of the packets (PUBACK before PINGRESP); the delivery of the PUBLISH to
        // the client's own subscription is a stream of its own, which after a takeover waits until the old
        // loop has forwarded what it still had for the session (Session.moveTo).
        assertThat(rest).filteredOn(p -> !(p instanceof Publish)).extracting(Packet::type)
                .containsExactly(PacketType.PUBACK, PacketType.PINGRESP);
    }

    @Test
    void packetsSentRightBehindConnect_areHandledInOrder() {
        try (RawMqttClient c = RawMqttClient.open(broker.port())) {
            c.send(connectAndMore("connect-pipelined", "connect/pipelined"));

            assertPipelinedPacketsAnswered(c, "connect/pipelined");
        }
    }

    @Test
    void packetsSentRightBehindATakeoverConnect_areHandledInOrder() {
        try (RawMqttClient old = RawMqttClient.open(broker.port());
             RawMqttClient c = RawMqttClient.open(broker.port())) {
            old.connect("connect-pipelined-takeover", false, 60);
            old.subscribe(1, "connect/pipelined-takeover/old", QoS.AT_LEAST_ONCE);

            c.send(connectAndMore("connect-pipelined-takeover", "connect/pipelined-takeover"));

            assertPipelinedPacketsAnswered(c, "connect/pipelined-takeover");
            assertThat(old.isClosedWithin(CLOSE_TIMEOUT)).isTrue();
        }
    }
}
