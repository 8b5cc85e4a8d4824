package io.starling.broker.server.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PubAck;
import io.starling.mqtt.codec.PubRec;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.ReasonCode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Clients may not write the broker's {@code $SYS} tree, as in mosquitto 2.0 ({@code acl__check_dollar}):
 * a PUBLISH to {@code $SYS/...} is dropped and acknowledged as an ACL denial (3.1.1: the normal
 * PUBACK/PUBREC; 5.0: 0x87), the connection stays, and nothing is retained; a bridge's
 * {@code $SYS/broker/connection/<id>/state} is the one exception. Measured against Debian's mosquitto
 * 2.0.11 with the same packets.
 */
@Timeout(30)
class SysTopicWritesTest {
    @RegisterExtension
    static final RunningBroker broker = new RunningBroker();

    private static final Duration QUIET = Duration.ofMillis(300);

    private static Publish publish(String topic, String payload, QoS qos, int packetId) {
        return new Publish(false, qos, true, topic, qos == QoS.AT_MOST_ONCE ? 0 : packetId, Properties.EMPTY,
                Unpooled.wrappedBuffer(payload.getBytes(StandardCharsets.UTF_8)));
    }

    private static RawMqttClient connected(MqttVersion version, String clientId) {
        RawMqttClient raw = RawMqttClient.open(broker.port());
        ConnAck ack = raw.connect(RawMqttClient.connectPacket(version, clientId, true, 60, null));
        assertThat(ack.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        return raw;
    }

    @Test
    void v311PublishToSys_isAckedAsUsual_keepsTheConnection_andIsNeitherRoutedNorRetained() {
        try (RawMqttClient watcher = connected(MqttVersion.MQTT_3_1_1, "sys-w-watch");
             RawMqttClient raw = connected(MqttVersion.MQTT_3_1_1, "sys-w-311")) {
            watcher.subscribe(1, "$SYS/fake/#", QoS.AT_LEAST_ONCE);

            raw.send(publish("$SYS/fake/q0", "fake", QoS.AT_MOST_ONCE, 0));
            raw.send(publish("$SYS/fake/q1", "fake", QoS.AT_LEAST_ONCE, 7));
            assertThat(raw.receive(PubAck.class).packetId()).isEqualTo(7);
            raw.send(publish("$SYS/fake/q2", "fake", QoS.EXACTLY_ONCE, 8));
            assertThat(raw.receive(PubRec.class).packetId()).isEqualTo(8);
            raw.ping(); // still connected, as with mosquitto

            assertThat(watcher.poll(QUIET)).as("a live $SYS subscriber gets nothing").isEmpty();
        }
        try (RawMqttClient late = connected(MqttVersion.MQTT_3_1_1, "sys-w-late")) {
            late.subscribe(1, "$SYS/fake/#", QoS.AT_LEAST_ONCE);
            assertThat(late.poll(QUIET)).as("nothing retained under $SYS").isEmpty();
        }
    }

    @Test
    void v5PublishToSys_isRefusedWithNotAuthorized_andKeepsTheConnection() {
        try (RawMqttClient raw = connected(MqttVersion.MQTT_5, "sys-w-5")) {
            raw.send(publish("$SYS/broker/version", "fake", QoS.AT_LEAST_ONCE, 3));
            PubAck ack = raw.receive(PubAck.class);
            assertThat(ack.reasonCode()).as("PUBACK reason code").isEqualTo(ReasonCode.NOT_AUTHORIZED);
            raw.send(publish("$SYS/broker/uptime", "fake", QoS.EXACTLY_ONCE, 4));
            PubRec rec = raw.receive(PubRec.class);
            assertThat(rec.reasonCode()).as("PUBREC reason code").isEqualTo(ReasonCode.NOT_AUTHORIZED);
            raw.ping();
        }
    }

    @Test
    void bridgeConnectionState_mayBeWrittenAndIsRetained() {
        try (RawMqttClient bridge = connected(MqttVersion.MQTT_5, "sys-w-bridge")) {
            bridge.send(publish("$SYS/broker/connection/sys-w-bridge/state", "1", QoS.AT_LEAST_ONCE, 5));
            assertThat(bridge.receive(PubAck.class).reasonCode()).isEqualTo(ReasonCode.NO_MATCHING_SUBSCRIBERS);
        }
        try (RawMqttClient reader = connected(MqttVersion.MQTT_3_1_1, "sys-w-bridge-reader")) {
            reader.subscribe(1, "$SYS/broker/connection/+/state", QoS.AT_LEAST_ONCE);
            Publish p = reader.receive(Publish.class);
            assertThat(p.topic()).isEqualTo("$SYS/broker/connection/sys-w-bridge/state");
            assertThat(RawMqttClient.payloadOf(p)).isEqualTo("1");
            p.release();
        }
    }

    @Test
    void willOnSysTopic_isAcceptedAtConnect_andNeverSent() throws Exception {
        try (RawMqttClient raw = RawMqttClient.open(broker.port())) {
            Connect connect = RawMqttClient.connectPacket(MqttVersion.MQTT_5, "sys-w-will", true, 60,
                    RawMqttClient.will("$SYS/broker/version", "fake", QoS.AT_LEAST_ONCE, true));
            ConnAck ack = raw.connect(connect);
            // As mosquitto 2.0.11: accepted at CONNECT, dropped when due.
            assertThat(ack.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        } // closed without DISCONNECT: the will is due now
        try (PahoClient sub = PahoClient.connected(broker, "sys-w-will-sub")) {
            sub.subscribe("$SYS/broker/version", 1);
            assertThat(sub.receive().payload()).startsWith("Starling");
            assertThat(sub.poll(QUIET)).isEmpty();
        }
    }

    @Test
    void pahoRetainedPublishToSysVersion_leavesTheBrokersOwnValue() throws Exception {
        try (PahoClient pub = PahoClient.connected(broker, "sys-w-paho-pub")) {
            pub.publish("$SYS/broker/version", "mosquitto version 0.0 (fake)", 1, true);
        }
        try (PahoClient sub = PahoClient.connected(broker, "sys-w-paho-sub")) {
            sub.subscribe("$SYS/broker/version", 1);
            PahoClient.Received m = sub.receive();
            assertThat(m.payload()).startsWith("Starling");
            Optional<PahoClient.Received> more = sub.poll(QUIET);
            assertThat(more).isEmpty();
        }
    }
}
