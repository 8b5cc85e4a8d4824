package io.starling.broker.server.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.starling.broker.core.session.Session;
import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Packet;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PubComp;
import io.starling.mqtt.codec.PubRec;
import io.starling.mqtt.codec.PubRel;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * QoS 2 from a client to the broker (3.1.1 §4.3.3 method B, as mosquitto): the broker holds the message
 * until PUBREL and passes it on then, once; it answers every resend of the PUBLISH with PUBREC until
 * PUBREL, and keeps at most one entry per packet id.
 */
@Timeout(60)
class Qos2InboundTest {
    @RegisterExtension
    static final RunningBroker broker = new RunningBroker();

    private static final Duration QUIET = Duration.ofMillis(300);

    private static Publish qos2(String topic, String payload, int packetId, boolean dup) {
        return new Publish(dup, QoS.EXACTLY_ONCE, false, topic, packetId, Properties.EMPTY,
                Unpooled.wrappedBuffer(payload.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void qos2PublishResentBeforePubrel_isDeliveredExactlyOnce() throws Exception {
        try (PahoClient sub = PahoClient.connected(broker, "qos2-once-sub");
             RawMqttClient pub = RawMqttClient.open(broker.port())) {
            sub.subscribe("qos2/once", 2);
            pub.connect("qos2-once-pub", true, 60);

            pub.send(qos2("qos2/once", "exactly once", 7, false));
            assertThat(pub.receive(PubRec.class).packetId()).isEqualTo(7);
            pub.send(qos2("qos2/once", "exactly once", 7, true));
            assertThat(pub.receive(PubRec.class).packetId()).isEqualTo(7); // MQTT-4.3.3-2
            assertThat(sub.poll(QUIET)).as("passed on before PUBREL").isEmpty();
            pub.send(new PubRel(7));
            assertThat(pub.receive(PubComp.class).packetId()).isEqualTo(7);

            assertThat(sub.receive().payload()).isEqualTo("exactly once");
            assertThat(sub.poll(QUIET)).as("a second delivery").isEmpty();
        }
    }

    @Test
    void packetIdReusedAfterPubrel_isANewMessage() throws Exception {
        try (PahoClient sub = PahoClient.connected(broker, "qos2-reuse-sub");
             RawMqttClient pub = RawMqttClient.open(broker.port())) {
            sub.subscribe("qos2/reuse", 2);
            pub.connect("qos2-reuse-pub", true, 60);

            for (String payload : new String[] {"first", "second"}) {
                pub.send(qos2("qos2/reuse", payload, 7, false));
                pub.receive(PubRec.class);
                pub.send(new PubRel(7));
                pub.receive(PubComp.class);
            }

            assertThat(sub.receive().payload()).isEqualTo("first");
            assertThat(sub.receive().payload()).isEqualTo("second");
        }
    }

    @Test
    void pubrelForUnknownPacketId_isAnsweredWithPubcomp() {
        try (RawMqttClient c = RawMqttClient.open(broker.port())) {
            c.connect("qos2-unknown-pubrel", true, 60);

            c.send(new PubRel(99)); // the PUBCOMP may have been lost before a reconnect

            assertThat(c.receive(PubComp.class).packetId()).isEqualTo(99);
        }
    }

    @Test
    void qos2FloodWithoutPubrel_isAnsweredAndKeepsIncomingStateBounded() throws Exception {
        int count = 100_000;
        try (RawMqttClient sub = RawMqttClient.open(broker.port());
             RawMqttClient flooder = RawMqttClient.open(broker.port())) {
            sub.connect("qos2-flood-sub", true, 60);
            sub.subscribe(1, "qos2/flood", QoS.AT_MOST_ONCE);
            flooder.connect("qos2-flood", true, 60);
            ByteArrayOutputStream all = new ByteArrayOutputStream(count * 16);
            for (int i = 0; i < count; i++) {
                Publish p = qos2("qos2/flood", "x", 1 + i % 10, false);
                all.writeBytes(RawMqttClient.encode(p, MqttVersion.MQTT_3_1_1));
            }
            CompletableFuture<Integer> pubRecs = CompletableFuture.supplyAsync(() -> {
                int n = 0;
                while (n < count) {
                    Packet p = flooder.receive(Duration.ofSeconds(10));
                    if (!(p instanceof PubRec)) {
                        throw new AssertionError("expected PUBREC, received " + p);
                    }
                    n++;
                }
                return n;
            });

            flooder.send(all.toByteArray());

            assertThat(pubRecs.get(30, TimeUnit.SECONDS)).isEqualTo(count);
            Session session = broker.core().sessions().get("qos2-flood");
            assertThat(session.incomingQos2Count()).isLessThanOrEqualTo(10);
            assertThat(sub.poll(QUIET)).as("passed on before PUBREL").isEmpty();
            for (int id = 1; id <= 10; id++) {
                flooder.send(new PubRel(id));
                assertThat(flooder.receive(PubComp.class).packetId()).isEqualTo(id);
            }
            for (int i = 0; i < 10; i++) { // every later PUBLISH was a resend of the one held under its id
                assertThat(sub.receive(Publish.class).topic()).isEqualTo("qos2/flood");
            }
            assertThat(sub.poll(QUIET)).as("more than one delivery per packet id").isEmpty();
            flooder.ping();
            assertThat(session.incomingQos2Count()).isZero();
        }
    }
}
