package io.starling.broker.server.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.Disconnect;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Packet;
import io.starling.mqtt.codec.PingResp;
import io.starling.mqtt.codec.PubRel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What a client gets for a protocol error, through the whole pipeline (codec, core, transport):
 * a 5.0 DISCONNECT with a reason code, or a socket closed with nothing sent, or - for what mosquitto
 * 2.0.11 takes - an answer. Each row was first sent to mosquitto 2.0.11 as raw bytes; the same cases
 * run side by side in {@code differential/protocol-errors.scenarios} and {@code validation.scenarios}.
 */
@Timeout(30)
class ProtocolErrorRepliesTest {
    @RegisterExtension
    static final RunningBroker broker = new RunningBroker();

    private static final Duration WAIT = Duration.ofSeconds(2);
    private static final AtomicInteger IDS = new AtomicInteger();

    /** The packets after CONNECT, as hex; the outcome: "DISCONNECT 0xNN", "closed", or the answer's name. */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "5 | a second CONNECT                      | 10 0e 00 04 4d 51 54 54 05 02 00 3c 00 00 01 62 | closed",
        "5 | a SUBACK from a client                | 90 04 00 01 00 00                              | closed",
        "5 | a CONNACK from a client               | 20 03 00 00 00                                 | closed",
        "5 | the reserved packet type 0            | 00 00                                          | DISCONNECT 0x82",
        "5 | AUTH without an authentication method | f0 00                                          | closed",
        "5 | DISCONNECT with flags                 | e1 00                                          | closed",
        "5 | a repeated property in a PUBLISH      | 30 09 00 01 74 04 01 00 01 00 78               | closed",
        "5 | ill-formed UTF-8 in a user property   | 30 0b 00 01 74 07 26 00 01 ff 00 01 61 78      | closed",
        "5 | an undefined property in a PUBLISH    | 30 07 00 01 74 02 7f 00 78                     | DISCONNECT 0x81",
        "5 | a PUBLISH to a wildcard topic         | 32 08 00 03 61 2f 2b 00 01 00                  | DISCONNECT 0x82",
        "5 | a PUBLISH with packet identifier 0    | 32 06 00 01 74 00 00 00                        | DISCONNECT 0x82",
        "5 | a PUBLISH with Topic Alias 0          | 30 08 00 01 74 03 23 00 00 78                  | DISCONNECT 0x81",
        "5 | a SUBSCRIBE with an invalid filter    | 82 09 00 01 00 00 03 61 2b 62 00               | DISCONNECT 0x81",
        "5 | an UNSUBSCRIBE with an invalid filter | a2 08 00 01 00 00 03 61 2b 62                  | DISCONNECT 0x81",
        "5 | a SUBSCRIBE with Retain Handling 3    | 82 07 00 01 00 00 01 61 30                     | DISCONNECT 0x81",
        "5 | a PUBCOMP with an unknown id           | 70 02 00 07 c0 00                              | PINGRESP",
        "5 | a PINGREQ with flags                  | c1 00                                          | PINGRESP",
        "5 | a PUBACK with bytes after its fields  | 40 05 00 07 00 00 00 c0 00                     | PINGRESP",
        "5 | a QoS 0 PUBLISH with DUP              | 38 04 00 01 74 00 c0 00                        | PINGRESP",
        "5 | a PUBREC with an unknown id           | 50 02 00 07                                    | PUBREL",
        "4 | a SUBSCRIBE with an invalid filter    | 82 08 00 01 00 03 61 2b 62 00                  | closed",
        "4 | a remaining length in two bytes       | c0 80 00                                       | PINGRESP",
        "4 | a PUBREL with DUP                     | 6a 02 00 01                                    | closed",
        "3 | a PUBREL with DUP (a 3.1 resend)      | 6a 02 00 01                                    | PUBCOMP",
        "3 | a SUBSCRIBE with flags 0000           | 80 06 00 01 00 01 61 00                        | SUBACK",
    })
    void protocolError_getsWhatMosquittoSends(int level, String what, String hex, String outcome) {
        MqttVersion version = level == 5 ? MqttVersion.MQTT_5 : level == 4 ? MqttVersion.MQTT_3_1_1 : MqttVersion.MQTT_3_1;
        try (RawMqttClient c = RawMqttClient.open(broker.port())) {
            c.connect(RawMqttClient.connectPacket(version, "errors-" + IDS.incrementAndGet(), true, 60, null));

            c.sendHex(hex);

            assertThat(outcomeOf(c)).as(what).isEqualTo(outcome);
        }
    }

    private static String outcomeOf(RawMqttClient c) {
        boolean closed = c.isClosedWithin(WAIT);
        Packet first;
        try {
            first = c.poll(Duration.ofMillis(closed ? 1 : 200)).orElse(null);
        } catch (AssertionError endedWithNothing) {
            first = null;
        }
        if (first instanceof Disconnect d) {
            assertThat(closed).as("closed after the DISCONNECT").isTrue();
            return String.format("DISCONNECT 0x%02X", d.reasonCode());
        }
        if (first == null) {
            return closed ? "closed" : "open, nothing sent";
        }
        assertThat(closed).as("still open after " + first).isFalse();
        return first instanceof PingResp ? "PINGRESP" : first instanceof PubRel ? "PUBREL" : first.type().toString();
    }
}
