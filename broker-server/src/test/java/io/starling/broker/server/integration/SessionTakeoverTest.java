package io.starling.broker.server.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.QoS;
import java.time.Duration;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Client id takeover (3.1.1 §3.1.4): a second connection with a client id already connected makes
 * the broker close the first one [MQTT-3.1.4-2].
 */
@Timeout(20)
class SessionTakeoverTest {
    @RegisterExtension
    static final RunningBroker broker = new RunningBroker();

    @Test
    void secondConnectionWithTheSameClientId_closesTheFirst() throws Exception {
        try (PahoClient first = PahoClient.connected(broker, "takeover");
             PahoClient second = PahoClient.connected(broker, "takeover")) {
            assertThat(first.awaitConnectionLost(Duration.ofSeconds(3))).isTrue();
            assertThat(second.isConnected()).isTrue();

            second.subscribe("takeover/alive", 1);
            second.publish("takeover/alive", "still here", 1);
            assertThat(second.receive().payload()).isEqualTo("still here");
        }
    }

    @Test
    void takeoverOfPersistentSession_keepsItsSubscriptions() throws Exception {
        try (PahoClient first = PahoClient.connected(broker, "takeover-persistent", false)) {
            first.subscribe("takeover/persistent", 1);

            try (PahoClient second = new PahoClient(broker.uri(), "takeover-persistent");
                 PahoClient pub = PahoClient.connected(broker, "takeover-persistent-pub")) {
                IMqttToken token = second.connect(PahoClient.options(false));
                assertThat(first.awaitConnectionLost(Duration.ofSeconds(3))).isTrue();
                assertThat(token.getSessionPresent()).isTrue();

                pub.publish("takeover/persistent", "to the new connection", 1);

                assertThat(second.receive().payload()).isEqualTo("to the new connection");
                assertThat(first.poll(Duration.ofMillis(200))).isEmpty();
            }
        }
    }

    @Test
    void takenOverConnection_publishesItsWill() throws Exception {
        try (PahoClient watcher = PahoClient.connected(broker, "takeover-will-watcher");
             RawMqttClient first = RawMqttClient.open(broker.port());
             RawMqttClient second = RawMqttClient.open(broker.port())) {
            watcher.subscribe("takeover/will", 1);
            first.connect(RawMqttClient.connectPacket(MqttVersion.MQTT_3_1_1, "takeover-will", true, 60,
                    RawMqttClient.will("takeover/will", "taken over", QoS.AT_LEAST_ONCE, false)));

            second.connect("takeover-will", true, 60);

            assertThat(first.isClosedWithin(Duration.ofSeconds(2))).isTrue();
            assertThat(watcher.receive().payload()).isEqualTo("taken over");
            second.ping();
        }
    }

    @Test
    void cleanSessionTakeoverOfPersistentSession_discardsItsSubscriptions() throws Exception {
        try (PahoClient first = PahoClient.connected(broker, "takeover-clean", false)) {
            first.subscribe("takeover/clean", 1);

            try (PahoClient second = new PahoClient(broker.uri(), "takeover-clean");
                 PahoClient pub = PahoClient.connected(broker, "takeover-clean-pub")) {
                IMqttToken token = second.connect(PahoClient.options(true));
                assertThat(first.awaitConnectionLost(Duration.ofSeconds(3))).isTrue();
                assertThat(token.getSessionPresent()).isFalse();

                pub.publish("takeover/clean", "to nobody", 1);

                assertThat(second.poll(Duration.ofMillis(300))).as("a message on the discarded subscription").isEmpty();
            }
        }
    }
}
