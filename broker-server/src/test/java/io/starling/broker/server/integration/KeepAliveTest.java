package io.starling.broker.server.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.QoS;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Keep alive (3.1.1 §3.1.2.10): a client silent for one and a half keepalive periods is
 * disconnected as if the network had failed, so its will is published [MQTT-3.1.2-24].
 */
@Timeout(20)
class KeepAliveTest {
    @RegisterExtension
    static final RunningBroker broker = new RunningBroker();

    @Test
    void clientSilentForOneAndAHalfKeepAlives_isDisconnectedAndItsWillPublished() throws Exception {
        try (PahoClient watcher = PahoClient.connected(broker, "keepalive-watcher");
             RawMqttClient silent = RawMqttClient.open(broker.port())) {
            watcher.subscribe("keepalive/will", 1);
            silent.connect(RawMqttClient.connectPacket(MqttVersion.MQTT_3_1_1, "keepalive-silent", true, 1,
                    RawMqttClient.will("keepalive/will", "timed out", QoS.AT_LEAST_ONCE, false)));
            long connected = System.nanoTime();

            boolean closed = silent.isClosedWithin(Duration.ofSeconds(4));

            long elapsedMillis = (System.nanoTime() - connected) / 1_000_000;
            assertThat(closed).isTrue();
            assertThat(elapsedMillis).isBetween(1_000L, 3_000L); // 1.5 x 1 s
            assertThat(watcher.receive().payload()).isEqualTo("timed out");
        }
    }

    @Test
    void pingsWithinTheKeepAlive_keepTheConnectionOpen() throws Exception {
        try (RawMqttClient c = RawMqttClient.open(broker.port())) {
            c.connect("keepalive-pinging", true, 1);

            for (int i = 0; i < 5; i++) {
                Thread.sleep(500);
                c.ping();
            }

            assertThat(c.isClosedByBroker()).isFalse();
        }
    }

    @Test
    void keepAliveZero_neverTimesOut() {
        try (RawMqttClient c = RawMqttClient.open(broker.port())) {
            c.connect("keepalive-zero", true, 0);

            assertThat(c.isClosedWithin(Duration.ofMillis(2_000))).isFalse();
            c.ping();
        }
    }
}
