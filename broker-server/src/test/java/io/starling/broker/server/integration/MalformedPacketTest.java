package io.starling.broker.server.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.QoS;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Malformed packets (3.1.1 §1.5.3, §2, §3; §4.8: "the Server MUST close the Network Connection"),
 * sent as raw bytes. Each row is the hex of what a client sends, tagged with the rule it breaks.
 * Every test also checks that the broker still serves a new client afterwards.
 */
@Timeout(20)
class MalformedPacketTest {
    @RegisterExtension
    static final RunningBroker broker = new RunningBroker();

    /** "Promptly": well under any keepalive or CONNECT timeout. */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(2);

    private static RawMqttClient connected(String clientId) {
        RawMqttClient c = RawMqttClient.open(broker.port());
        c.connect(clientId, true, 60);
        return c;
    }

    private static void assertBrokerStillServes() {
        try (RawMqttClient c = RawMqttClient.open(broker.port())) {
            c.connect("malformed-next", true, 60);
            c.ping();
        }
    }

    @Test
    void connectDeclaring100MegabytesAndSendingNoBody_isClosedPromptly() {
        try (RawMqttClient c = RawMqttClient.open(broker.port())) {
            c.sendHex("10 80 80 80 32"); // CONNECT, remaining length 104,857,600, then nothing

            assertThat(c.isClosedWithin(CLOSE_TIMEOUT)).as("closed within %s", CLOSE_TIMEOUT).isTrue();
        }
        assertBrokerStillServes();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "CONNECT, [MQTT-2.2.3]      | 10 80 80 80 80 01",
        "CONNECT, all 0xff          | 10 ff ff ff ff 7f",
    })
    void remainingLengthOfFiveBytesBeforeConnect_closesTheConnection(String row, String hex) {
        try (RawMqttClient c = RawMqttClient.open(broker.port())) {
            c.sendHex(hex);

            assertThat(c.isClosedWithin(CLOSE_TIMEOUT)).isTrue();
        }
        assertBrokerStillServes();
    }

    @Test
    void remainingLengthOfFiveBytesAfterConnect_closesTheConnection() {
        try (RawMqttClient c = connected("malformed-rl5")) {
            c.sendHex("30 80 80 80 80 01");

            assertThat(c.isClosedWithin(CLOSE_TIMEOUT)).isTrue();
        }
        assertBrokerStillServes();
    }

    /** Fixed header flags that 3.1.1 §2.2.2 reserves [MQTT-2.2.2-1, MQTT-2.2.2-2]. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "SUBSCRIBE with flags 0      | 80 06 00 01 00 01 61 00",
        "SUBSCRIBE with flags 3      | 83 06 00 01 00 01 61 00",
        "UNSUBSCRIBE with flags 0    | a0 05 00 01 00 01 61",
        "PUBREL with flags 0         | 60 02 00 01",
        "DISCONNECT with flags 1     | e1 00",
    })
    void reservedFixedHeaderFlags_closeTheConnection(String row, String hex) {
        try (RawMqttClient c = connected("malformed-flags")) {
            c.sendHex(hex);

            assertThat(c.isClosedWithin(CLOSE_TIMEOUT)).as(row).isTrue();
        }
        assertBrokerStillServes();
    }

    /** Flags and lengths mosquitto 2.0.11 does not check (measured with raw packets): answered, not closed. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "PUBACK with flags 1         | 41 02 00 01",
        "PINGREQ with flags 8        | c8 00",
        "PUBLISH QoS 0 with DUP set  | 38 05 00 03 61 2f 62",
        "PUBACK with a trailing byte | 40 03 00 01 00",
        "PINGREQ with a body         | c0 01 00",
    })
    void whatMosquittoDoesNotCheck_isTaken(String row, String hex) {
        try (RawMqttClient c = connected("malformed-unchecked")) {
            c.sendHex(hex);

            c.ping();
            assertThat(c.isClosedByBroker()).as(row).isFalse();
        }
    }

    @Test
    void publishWithQos3_closesTheConnection() {
        try (RawMqttClient c = connected("malformed-qos3")) {
            c.sendHex("36 07 00 03 61 2f 62 00 01"); // [MQTT-3.3.1-4]

            assertThat(c.isClosedWithin(CLOSE_TIMEOUT)).isTrue();
        }
        assertBrokerStillServes();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "QoS 1 PUBLISH ending before its packet id  | 32 05 00 03 61 2f 62",
        "QoS 2 PUBLISH ending inside its packet id  | 34 06 00 03 61 2f 62 00",
        "QoS 1 PUBLISH with packet id 0             | 32 07 00 03 61 2f 62 00 00",
        "topic length beyond the packet             | 30 05 00 09 61 2f 62",
        "SUBSCRIBE without a filter [MQTT-3.8.3-3]  | 82 02 00 01",
        "SUBSCRIBE asking QoS 3 [MQTT-3-8.3-4]      | 82 06 00 01 00 01 61 03",
        "SUBSCRIBE options reserved bits            | 82 06 00 01 00 01 61 04",
        "UNSUBSCRIBE without a filter [MQTT-3.10.3-2] | a2 02 00 01",
    })
    void packetBodyNotMatchingItsType_closesTheConnection(String row, String hex) {
        try (RawMqttClient c = connected("malformed-body")) {
            c.sendHex(hex);

            assertThat(c.isClosedWithin(CLOSE_TIMEOUT)).as(row).isTrue();
        }
        assertBrokerStillServes();
    }

    /** Ill-formed UTF-8 in a topic name [MQTT-1.5.3-1]. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "0xff byte                    | 30 05 00 03 61 ff 62",
        "truncated sequence           | 30 05 00 03 61 2f c3",
        "overlong '/'                 | 30 06 00 04 61 c0 af 62",
        "encoded surrogate U+D800     | 30 05 00 03 ed a0 80",
    })
    void invalidUtf8InTopic_closesTheConnection(String row, String hex) {
        try (RawMqttClient c = connected("malformed-utf8-topic")) {
            c.sendHex(hex);

            assertThat(c.isClosedWithin(CLOSE_TIMEOUT)).as(row).isTrue();
        }
        assertBrokerStillServes();
    }

    @Test
    void invalidUtf8InClientId_closesTheConnection() {
        try (RawMqttClient c = RawMqttClient.open(broker.port())) {
            c.sendHex("10 0e  00 04 4d 51 54 54  04  02  00 3c  00 02 c3 28"); // client id "\xc3\x28"

            assertThat(c.isClosedWithin(CLOSE_TIMEOUT)).isTrue();
        }
        assertBrokerStillServes();
    }

    @Test
    void nullCharacterInTopic_closesTheConnection() {
        try (RawMqttClient c = connected("malformed-nul")) {
            c.sendHex("30 05 00 03 61 00 62"); // "a\u0000b" [MQTT-1.5.3-2]

            assertThat(c.isClosedWithin(CLOSE_TIMEOUT)).isTrue();
        }
        assertBrokerStillServes();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "reserved flag set [MQTT-3.1.2-3]          | 10 0e 00 04 4d 51 54 54 04 03 00 3c 00 02 63 31",
        "will QoS without will flag [MQTT-3.1.2-13] | 10 0e 00 04 4d 51 54 54 04 0a 00 3c 00 02 63 31",
        "password without user name [MQTT-3.1.2-22] | 10 0e 00 04 4d 51 54 54 04 42 00 3c 00 02 63 31",
        "unknown protocol name [MQTT-3.1.2-1]      | 10 0e 00 04 4d 51 54 58 04 02 00 3c 00 02 63 31",
        "CONNECT ending inside the client id       | 10 0d 00 04 4d 51 54 54 04 02 00 3c 00 02 63",
    })
    void malformedConnect_closesTheConnection(String row, String hex) {
        try (RawMqttClient c = RawMqttClient.open(broker.port())) {
            c.sendHex(hex);

            assertThat(c.isClosedWithin(CLOSE_TIMEOUT)).as(row).isTrue();
        }
        assertBrokerStillServes();
    }

    @Test
    void topicWith10000Levels_closesTheConnectionWithoutHarmingTheBroker() {
        try (RawMqttClient c = connected("malformed-deep")) {
            c.send(RawMqttClient.publishPacket("a/".repeat(9_999) + "a", "deep", QoS.AT_MOST_ONCE, 0));

            assertThat(c.isClosedWithin(CLOSE_TIMEOUT)).isTrue();
        }
        assertBrokerStillServes();
    }

    @Test
    void malformedPacket_isCounted() {
        long before = broker.core().drops().malformedPackets.sum();
        try (RawMqttClient c = connected("malformed-counted")) {
            c.sendHex("36 07 00 03 61 2f 62 00 01");
            assertThat(c.isClosedWithin(CLOSE_TIMEOUT)).isTrue();
        }

        assertThat(broker.core().drops().malformedPackets.sum()).isEqualTo(before + 1);
    }
}
