package io.starling.broker.server.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.Disconnect;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.QoS;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The will message (3.1.1 §3.1.2.5): published when the network connection closes without
 * DISCONNECT [MQTT-3.1.2-8], discarded by a DISCONNECT [MQTT-3.1.2-10, MQTT-3.14.4-3]. The client
 * with the will is a raw socket, so that "closed without DISCONNECT" is exactly that.
 */
@Timeout(20)
class WillTest {
    @RegisterExtension
    static final RunningBroker broker = new RunningBroker();

    private static final Duration QUIET = Duration.ofMillis(300);

    private static RawMqttClient connectWithWill(String clientId, String willTopic, boolean retain) {
        RawMqttClient c = RawMqttClient.open(broker.port());
        c.connect(RawMqttClient.connectPacket(MqttVersion.MQTT_3_1_1, clientId, true, 60,
                RawMqttClient.will(willTopic, "gone: " + clientId, QoS.AT_LEAST_ONCE, retain)));
        return c;
    }

    @Test
    void connectionClosedWithoutDisconnect_publishesTheWill() throws Exception {
        try (PahoClient watcher = PahoClient.connected(broker, "will-abrupt-watcher")) {
            watcher.subscribe("will/abrupt", 2);
            RawMqttClient c = connectWithWill("will-abrupt", "will/abrupt", false);

            c.close();

            PahoClient.Received will = watcher.receive();
            assertThat(will.payload()).isEqualTo("gone: will-abrupt");
            assertThat(will.qos()).isEqualTo(1);
            assertThat(watcher.poll(QUIET)).isEmpty();
        }
    }

    @Test
    void connectionReset_publishesTheWill() throws Exception {
        try (PahoClient watcher = PahoClient.connected(broker, "will-reset-watcher")) {
            watcher.subscribe("will/reset", 1);
            RawMqttClient c = connectWithWill("will-reset", "will/reset", false);

            c.reset();

            assertThat(watcher.receive().payload()).isEqualTo("gone: will-reset");
        }
    }

    @Test
    void normalDisconnect_discardsTheWill() throws Exception {
        try (PahoClient watcher = PahoClient.connected(broker, "will-normal-watcher")) {
            watcher.subscribe("will/normal", 1);
            RawMqttClient c = connectWithWill("will-normal", "will/normal", false);

            c.disconnect();

            assertThat(watcher.poll(Duration.ofMillis(500))).as("a will after DISCONNECT").isEmpty();
        }
    }

    @Test
    void protocolViolation_publishesTheWill() throws Exception {
        try (PahoClient watcher = PahoClient.connected(broker, "will-violation-watcher")) {
            watcher.subscribe("will/violation", 1);
            RawMqttClient c = connectWithWill("will-violation", "will/violation", false);

            c.sendHex("36 07 00 03 61 2f 62 00 01"); // PUBLISH QoS 3

            assertThat(c.isClosedWithin(Duration.ofSeconds(2))).isTrue();
            assertThat(watcher.receive().payload()).isEqualTo("gone: will-violation");
            c.close();
        }
    }

    @Test
    void willWithRetain_isKeptForLaterSubscribers() throws Exception {
        connectWithWill("will-retained", "will/retained", true).close();
        try (PahoClient first = PahoClient.connected(broker, "will-retained-first")) {
            first.subscribe("will/retained", 1);
            first.receive(); // the will has been published
        }

        try (PahoClient later = PahoClient.connected(broker, "will-retained-later")) {
            later.subscribe("will/retained", 1);

            PahoClient.Received m = later.receive();
            assertThat(m.payload()).isEqualTo("gone: will-retained");
            assertThat(m.retained()).isTrue();
        }
    }

    @Test
    void packetsAfterDisconnect_areIgnoredAndTheWillDiscarded() throws Exception {
        try (PahoClient watcher = PahoClient.connected(broker, "will-after-watcher")) {
            watcher.subscribe("will/after/#", 1);
            RawMqttClient c = connectWithWill("will-after", "will/after/will", false);
            ByteArrayOutputStream batch = new ByteArrayOutputStream();
            batch.writeBytes(RawMqttClient.encode(
                    RawMqttClient.publishPacket("will/after/data", "before", QoS.AT_MOST_ONCE, 0), MqttVersion.MQTT_3_1_1));
            batch.writeBytes(RawMqttClient.encode(Disconnect.NORMAL, MqttVersion.MQTT_3_1_1));
            batch.writeBytes(RawMqttClient.encode(
                    RawMqttClient.publishPacket("will/after/data", "after", QoS.AT_MOST_ONCE, 0), MqttVersion.MQTT_3_1_1));

            c.send(batch.toByteArray()); // one write: the broker reads all three at once

            assertThat(c.isClosedWithin(Duration.ofSeconds(2))).isTrue();
            assertThat(watcher.receive().payload()).isEqualTo("before");
            assertThat(watcher.poll(QUIET)).as("a packet after DISCONNECT, or the will").isEmpty(); // MQTT-3.14.4-2
            c.close();
        }
    }
}
