package io.starling.broker.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.Unpooled;
import io.starling.broker.server.Broker;
import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Packet;
import io.starling.mqtt.codec.PingReq;
import io.starling.mqtt.codec.PingResp;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PubAck;
import io.starling.mqtt.codec.PubRec;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retained PUBLISHes to {@code $} topics, the same packets against Debian's mosquitto and Starling:
 * the acknowledgement (and its 5.0 reason code) of each QoS, whether the connection stays, and
 * whether a later subscriber finds the message retained. Skipped when mosquitto is not installed.
 */
@Timeout(120)
class SysTopicWritesSideBySideTest {
    private static final List<String> TOPICS = List.of("$SYS/broker/fake", "$SYS/broker/connection/br1/state",
            "$SYS/broker/connection/a/b/state", "$SYSTEM/x", "$share/g/x", "$other/x");

    @TempDir
    Path dir;

    @Test
    void publishesToDollarTopics_areAnsweredAndKeptAsMosquittoDoes() throws Exception {
        assumeTrue(MosquittoBroker.installed(), "mosquitto is not installed");
        List<String> expected;
        try (MosquittoBroker mosquitto = MosquittoBroker.start(dir, "mosquitto", "allow_anonymous true")) {
            expected = outcomes(mosquitto.port());
        }
        List<String> actual;
        try (Broker starling = SecurityFixtures.startStarling(dir, "allow_anonymous true")) {
            actual = outcomes(starling.port());
        }
        assertThat(actual).containsExactlyElementsOf(expected);
    }

    private static List<String> outcomes(int port) {
        List<String> out = new ArrayList<>();
        for (MqttVersion version : List.of(MqttVersion.MQTT_3_1_1, MqttVersion.MQTT_5)) {
            for (String topic : TOPICS) {
                for (QoS qos : QoS.values()) {
                    out.add(version + " " + qos + " " + topic + ": " + publishOnce(port, version, topic, qos));
                }
            }
        }
        for (String topic : TOPICS) {
            if (!topic.startsWith("$share")) {
                out.add(topic + " retained: " + retained(port, topic));
            }
        }
        return out;
    }

    /** What comes back for one retained PUBLISH, up to the PINGRESP that follows it; "closed" if the broker closed. */
    private static String publishOnce(int port, MqttVersion version, String topic, QoS qos) {
        try (RawMqttClient c = RawMqttClient.open(port)) {
            c.connect(new Connect(version, "side", true, 60, null, null, null, Properties.EMPTY));
            c.send(new Publish(false, qos, true, topic, qos == QoS.AT_MOST_ONCE ? 0 : 7, Properties.EMPTY,
                    Unpooled.copiedBuffer("fake", StandardCharsets.UTF_8)));
            c.send(PingReq.INSTANCE);
            StringBuilder got = new StringBuilder();
            while (true) {
                Optional<Packet> p = c.poll(Duration.ofSeconds(2));
                if (p.isEmpty()) {
                    return got + (c.isClosedByBroker() ? "closed" : "nothing more");
                }
                Packet packet = p.get();
                if (packet instanceof PingResp) {
                    return got + "PINGRESP";
                } else if (packet instanceof PubAck a) {
                    got.append("PUBACK rc").append(a.reasonCode()).append(' ');
                } else if (packet instanceof PubRec r) {
                    got.append("PUBREC rc").append(r.reasonCode()).append(' ');
                } else {
                    got.append(packet.type()).append(' ');
                }
            }
        }
    }

    private static boolean retained(int port, String topic) {
        try (RawMqttClient c = RawMqttClient.open(port)) {
            c.connect("side-reader", true, 60);
            c.subscribe(1, topic, QoS.AT_MOST_ONCE);
            Optional<Packet> p = c.poll(Duration.ofMillis(500));
            boolean found = p.isPresent() && p.get() instanceof Publish pub
                    && pub.payload().toString(StandardCharsets.UTF_8).equals("fake");
            p.ifPresent(x -> {
                if (x instanceof Publish pub) {
                    pub.release();
                }
            });
            return found;
        }
    }
}
