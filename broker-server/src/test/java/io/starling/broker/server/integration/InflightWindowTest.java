package io.starling.broker.server.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.PubAck;
import io.starling.mqtt.codec.PubComp;
import io.starling.mqtt.codec.PubRec;
import io.starling.mqtt.codec.PubRel;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Outgoing flow control (mosquitto's max_inflight_messages, 20 by default; 5.0's Receive Maximum):
 * at most 20 QoS 1/2 messages await acknowledgement per client, the rest wait in order in the
 * queue. The subscriber is a raw client so that it acknowledges exactly when the test says.
 */
@Timeout(20)
class InflightWindowTest {
    @RegisterExtension
    static final RunningBroker broker = new RunningBroker();

    private static final int MAX_INFLIGHT = 20;
    private static final Duration QUIET = Duration.ofMillis(300);

    private static List<Publish> receivePublishes(RawMqttClient c, int n) {
        List<Publish> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(c.receive(Publish.class));
        }
        return out;
    }

    @Test
    void qos1MessagesBeyondMaxInflight_areHeldUntilAcknowledged() throws Exception {
        try (RawMqttClient sub = RawMqttClient.open(broker.port());
             PahoClient pub = PahoClient.connected(broker, "inflight-q1-pub")) {
            sub.connect("inflight-q1-sub", true, 60);
            sub.subscribe(1, "inflight/q1", QoS.AT_LEAST_ONCE);

            for (int i = 0; i < 30; i++) {
                pub.publish("inflight/q1", Integer.toString(i), 1);
            }

            List<Publish> first = receivePublishes(sub, MAX_INFLIGHT);
            assertThat(sub.poll(QUIET)).as("a message beyond the inflight window").isEmpty();
            for (int i = 0; i < 5; i++) {
                sub.send(new PubAck(first.get(i).packetId()));
            }
            List<Publish> next = receivePublishes(sub, 5);
            assertThat(sub.poll(QUIET)).isEmpty();
            for (Publish p : first.subList(5, MAX_INFLIGHT)) {
                sub.send(new PubAck(p.packetId()));
            }
            for (Publish p : next) {
                sub.send(new PubAck(p.packetId()));
            }
            List<Publish> last = receivePublishes(sub, 5);

            List<String> payloads = new ArrayList<>();
            for (List<Publish> batch : List.of(first, next, last)) {
                batch.forEach(p -> payloads.add(RawMqttClient.payloadOf(p)));
            }
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                expected.add(Integer.toString(i));
            }
            assertThat(payloads).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void qos2MessagesAwaitingPubcomp_stillOccupyTheInflightWindow() throws Exception {
        try (RawMqttClient sub = RawMqttClient.open(broker.port());
             PahoClient pub = PahoClient.connected(broker, "inflight-q2-pub")) {
            sub.connect("inflight-q2-sub", true, 60);
            sub.subscribe(1, "inflight/q2", QoS.EXACTLY_ONCE);
            for (int i = 0; i < 25; i++) {
                pub.publish("inflight/q2", Integer.toString(i), 2);
            }
            List<Publish> first = receivePublishes(sub, MAX_INFLIGHT);

            for (Publish p : first) {
                sub.send(new PubRec(p.packetId()));
                assertThat(sub.receive(PubRel.class).packetId()).isEqualTo(p.packetId());
            }
            assertThat(sub.poll(QUIET)).as("a message while 20 await PUBCOMP").isEmpty();
            for (Publish p : first) {
                sub.send(new PubComp(p.packetId()));
            }

            List<Publish> rest = receivePublishes(sub, 5);
            assertThat(RawMqttClient.payloadOf(rest.get(0))).isEqualTo("20");
            assertThat(RawMqttClient.payloadOf(rest.get(4))).isEqualTo("24");
        }
    }

    @Test
    void qos0Messages_passAFullInflightWindow() throws Exception {
        try (RawMqttClient sub = RawMqttClient.open(broker.port());
             PahoClient pub = PahoClient.connected(broker, "inflight-q0-pub")) {
            sub.connect("inflight-q0-sub", true, 60);
            sub.subscribe(1, "inflight/q0/#", QoS.AT_LEAST_ONCE);
            for (int i = 0; i < MAX_INFLIGHT; i++) {
                pub.publish("inflight/q0/held", Integer.toString(i), 1);
            }
            receivePublishes(sub, MAX_INFLIGHT); // none acknowledged

            pub.publish("inflight/q0/free", "at most once", 0);

            Publish p = sub.receive(Publish.class);
            assertThat(p.topic()).isEqualTo("inflight/q0/free");
            assertThat(p.qos()).isEqualTo(QoS.AT_MOST_ONCE);
        }
    }
}
