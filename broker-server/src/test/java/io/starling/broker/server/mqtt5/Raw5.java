package io.starling.broker.server.mqtt5;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.Disconnect;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.ReasonCode;
import io.starling.mqtt.codec.Will;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** MQTT 5 packets for {@link RawMqttClient}, which sends exactly what it is given. */
final class Raw5 {
    private Raw5() {
    }

    static Connect connect(String clientId, boolean cleanStart, int keepAlive, Properties properties, Will will) {
        return new Connect(MqttVersion.MQTT_5, clientId, cleanStart, keepAlive, null, null, will, properties);
    }

    /** Opens a connection and connects as a 5.0 client with Clean Start and no properties; fails unless accepted. */
    static RawMqttClient connected(int port, String clientId) {
        return connected(port, connect(clientId, true, 60, Properties.EMPTY, null));
    }

    static RawMqttClient connected(int port, Connect connect) {
        RawMqttClient raw = RawMqttClient.open(port);
        ConnAck ack = raw.connect(connect);
        assertThat(ack.reasonCode()).as("CONNACK reason code").isEqualTo(ReasonCode.SUCCESS);
        return raw;
    }

    static Publish publish(String topic, byte[] payload, QoS qos, int packetId, Properties properties) {
        return new Publish(false, qos, false, topic, qos == QoS.AT_MOST_ONCE ? 0 : packetId, properties,
                Unpooled.wrappedBuffer(payload));
    }

    static Publish publish(String topic, String payload, QoS qos, int packetId, Properties properties) {
        return publish(topic, payload.getBytes(StandardCharsets.UTF_8), qos, packetId, properties);
    }

    /** Asserts that the broker sends DISCONNECT with {@code reasonCode} and then closes the connection. */
    static void expectDisconnect(RawMqttClient raw, int reasonCode) {
        expectDisconnect(raw, reasonCode, RawMqttClient.DEFAULT_TIMEOUT);
    }

    static void expectDisconnect(RawMqttClient raw, int reasonCode, Duration timeout) {
        Disconnect d = raw.receive(Disconnect.class, timeout);
        assertThat(d.reasonCode()).as("DISCONNECT reason code 0x%02X", d.reasonCode()).isEqualTo(reasonCode);
        assertThat(raw.isClosedWithin(Duration.ofSeconds(2))).as("connection closed after DISCONNECT").isTrue();
    }
}
