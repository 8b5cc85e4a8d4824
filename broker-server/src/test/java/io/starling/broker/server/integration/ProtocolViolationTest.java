package io.starling.broker.server.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.testkit.RawMqttClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Well-formed packets a client must not send (3.1.1 §3.3.2, §4.7, §4.8): the broker closes the
 * connection. (Packets before CONNECT and a second CONNECT are in {@link ConnectTest}.)
 */
@Timeout(20)
class ProtocolViolationTest {
    @RegisterExtension
    static final RunningBroker broker = new RunningBroker();

    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(2);

    private static RawMqttClient connected(String clientId) {
        RawMqttClient c = RawMqttClient.open(broker.port());
        c.connect(clientId, true, 60);
        return c;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "CONNACK  | 20 02 00 00",
        "SUBACK   | 90 03 00 01 00",
        "UNSUBACK | b0 02 00 01",
        "PINGRESP | d0 00",
    })
    void packetOnlyAServerSends_closesTheConnection(String type, String hex) {
        try (RawMqttClient c = connected("violation-server-only")) {
            c.sendHex(hex);

            assertThat(c.isClosedWithin(CLOSE_TIMEOUT)).as("closed after %s", type).isTrue();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "empty topic, QoS 0 [MQTT-4.7.3-1]      | 30 02 00 00",
        "empty topic with payload               | 30 04 00 00 68 69",
        "empty topic, QoS 1                     | 32 04 00 00 00 01",
        "'#' in topic name [MQTT-3.3.2-2]       | 30 05 00 03 61 2f 23",
        "'+' in topic name [MQTT-3.3.2-2]       | 30 05 00 03 2b 2f 62",
    })
    void publishToAnInvalidTopicName_closesTheConnection(String row, String hex) {
        try (RawMqttClient c = connected("violation-topic")) {
            c.sendHex(hex);

            assertThat(c.isClosedWithin(CLOSE_TIMEOUT)).as(row).isTrue();
        }
    }

    @Test
    void willWithWildcardTopic_closesTheConnection() {
        try (RawMqttClient c = RawMqttClient.open(broker.port())) {
            // CONNECT with will flag, will topic "w/#", will message "x" [MQTT-3.1.3-11 via MQTT-3.3.2-2]
            c.sendHex("10 16  00 04 4d 51 54 54  04  06  00 3c  00 02 63 31  00 03 77 2f 23  00 01 78");

            assertThat(c.isClosedWithin(CLOSE_TIMEOUT)).isTrue();
        }
    }

    @Test
    void unknownPacketIdInAcknowledgements_isIgnoredAndTheConnectionStaysOpen_butPubRecGetsPubRel() {
        try (RawMqttClient c = connected("violation-unknown-ack")) {
            c.sendHex("40 02 00 2a  50 02 00 2b  70 02 00 2c"); // PUBACK, PUBREC, PUBCOMP for ids never sent

            assertThat(c.receive(io.starling.mqtt.codec.PubRel.class).packetId()).isEqualTo(0x2b); // as mosquitto 2.0.11
            c.ping();
            assertThat(c.isClosedByBroker()).isFalse();
        }
    }
}
