package io.starling.broker.server.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.Packet;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PubAck;
import io.starling.mqtt.codec.PubComp;
import io.starling.mqtt.codec.PubRec;
import io.starling.mqtt.codec.PubRel;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.SubAck;
import io.starling.mqtt.codec.UnsubAck;
import io.starling.mqtt.codec.Unsubscribe;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 finding 5: a packet that reports a state change (PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK,
 * CONNACK of a stored session) leaves the broker only once that state is on disk. The broker runs as its
 * own process and is killed with SIGKILL at a random point of a QoS 2 flow, in each direction; the clients
 * here keep their protocol state across the crash, as a real client does, and after the restart every
 * message must reach its reader exactly once.
 */
class StateReportCrashIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Where in a QoS 2 flow the broker dies. */
    private enum Phase { PUBLISH_SENT, PUBREC_SEEN, PUBREL_SENT, PUBCOMP_SEEN }

    private final long seed = Long.getLong("crash.seed", System.nanoTime());
    private final Random random = new Random(seed);

    @Test
    void qos2ClientToBroker_killAtEachPhase_everyMessageDeliveredExactlyOnce(@TempDir Path dir) throws Exception {
        System.out.println("crash.seed=" + seed);
        try (BrokerProcess broker = new BrokerProcess(dir)) {
            broker.start();
            try (RawMqttClient sub = RawMqttClient.open(broker.port)) {
                sub.connect("in-sub", false, 60);
                sub.subscribe(1, "in/q2", QoS.EXACTLY_ONCE);
                sub.disconnect();
            }
            int next = 1;
            for (Phase phase : Phase.values()) {
                int flows = 1 + random.nextInt(12);
                RawMqttClient pub = RawMqttClient.open(broker.port);
                assertThat(pub.connect("in-pub", false, 60).reasonCode()).isZero();
                for (int i = 0; i < flows - 1; i++) {
                    sendQos2(pub, next++);
                }
                // The last flow stops at the phase; the broker dies a few milliseconds later.
                int n = next++;
                int id = idOf(n);
                pub.send(RawMqttClient.publishPacket("in/q2", Integer.toString(n), QoS.EXACTLY_ONCE, id));
                if (phase.compareTo(Phase.PUBREC_SEEN) >= 0) {
                    pub.receive(PubRec.class, WAIT);
                }
                if (phase.compareTo(Phase.PUBREL_SENT) >= 0) {
                    pub.send(new PubRel(id));
                }
                if (phase == Phase.PUBCOMP_SEEN) {
                    pub.receive(PubComp.class, WAIT);
                }
                Thread.sleep(random.nextInt(20));
                broker.kill();
                pub.close();
                broker.start();

                pub = RawMqttClient.open(broker.port);
                ConnAck ack = pub.connect("in-pub", false, 60);
                assertThat(ack.sessionPresent()).as("publisher's session after %s", phase).isTrue();
                // Finish the interrupted flow as a client must (MQTT-4.4.0-1).
                if (phase == Phase.PUBLISH_SENT) {
                    pub.send(new Publish(true, QoS.EXACTLY_ONCE, false, "in/q2", id, Properties.EMPTY,
                            io.netty.buffer.Unpooled.wrappedBuffer(Integer.toString(n).getBytes())));
                    pub.receive(PubRec.class, WAIT);
                }
                if (phase != Phase.PUBCOMP_SEEN) {
                    pub.send(new PubRel(id));
                    pub.receive(PubComp.class, WAIT);
                }
                pub.disconnect();
            }
            // Enough further flows to reuse every packet id used before the crashes.
            try (RawMqttClient pub = RawMqttClient.open(broker.port)) {
                pub.connect("in-pub", false, 60);
                for (int i = 0; i < 2 * IDS; i++) {
                    sendQos2(pub, next++);
                }
                pub.disconnect();
            }
            Map<Integer, Integer> received = readAll(broker, "in-sub", next - 1);
            assertExactlyOnce(received, next - 1, broker);
        }
    }

    /**
     * Issue 15: an incoming QoS 2 message is held until PUBREL and passed on then (method B, as
     * mosquitto). Its PUBREC says the broker has it, so it must be on disk by then: the broker is killed
     * right after the PUBRECs arrive, and after the restart the PUBRELs alone (no resend) pass every held
     * message on, a retained one into the retained store too.
     */
    @Test
    void qos2HeldUntilPubRel_survivesSigkillRightAfterItsPubRec(@TempDir Path dir) throws Exception {
        try (BrokerProcess broker = new BrokerProcess(dir)) {
            broker.start();
            try (RawMqttClient sub = RawMqttClient.open(broker.port)) {
                sub.connect("held-sub", false, 60);
                sub.subscribe(1, "held/#", QoS.AT_LEAST_ONCE);
                sub.disconnect();
            }
            int count = 5 + random.nextInt(16); // up to the receive quota (max_inflight_messages 20)
            try (RawMqttClient pub = RawMqttClient.open(broker.port)) {
                pub.connect("held-pub", false, 60);
                for (int id = 1; id <= count; id++) {
                    pub.send(new Publish(false, QoS.EXACTLY_ONCE, id == count, "held/" + id, id, Properties.EMPTY,
                            io.netty.buffer.Unpooled.wrappedBuffer(Integer.toString(id).getBytes())));
                }
                for (int id = 1; id <= count; id++) {
                    assertThat(pub.receive(PubRec.class, WAIT).reasonCode()).isZero();
                }
                try (RawMqttClient sub = RawMqttClient.open(broker.port)) {
                    sub.connect("held-sub", false, 60);
                    assertThat(sub.poll(Duration.ofMillis(200))).as("passed on before PUBREL").isEmpty();
                    broker.kill();
                }
            }
            broker.start();
            try (RawMqttClient pub = RawMqttClient.open(broker.port)) {
                assertThat(pub.connect("held-pub", false, 60).sessionPresent()).isTrue();
                for (int id = 1; id <= count; id++) {
                    pub.send(new PubRel(id));
                    assertThat(pub.receive(PubComp.class, WAIT).packetId()).isEqualTo(id);
                }
                pub.disconnect();
            }
            Map<Integer, Integer> received = new TreeMap<>();
            try (RawMqttClient sub = RawMqttClient.open(broker.port)) {
                sub.connect("held-sub", false, 60);
                for (int i = 0; i < count; i++) {
                    Publish p = sub.receive(Publish.class, WAIT);
                    received.merge(Integer.parseInt(RawMqttClient.payloadOf(p)), 1, Integer::sum);
                    sub.send(new PubAck(p.packetId()));
                }
                assertThat(sub.poll(Duration.ofMillis(300))).as("passed on once").isEmpty();
            }
            assertExactlyOnce(received, count, broker);
            try (RawMqttClient reader = RawMqttClient.open(broker.port)) {
                reader.connect("held-reader", true, 60);
                reader.subscribe(1, "held/" + count, QoS.AT_MOST_ONCE);
                Publish retained = reader.receive(Publish.class, WAIT);
                assertThat(retained.retain()).as("retained at its PUBREL").isTrue();
            }
        }
    }

    @Test
    void qos2BrokerToClient_killAtEachPhase_noMessageDeliveredTwiceOrLost(@TempDir Path dir) throws Exception {
        System.out.println("crash.seed=" + seed);
        try (BrokerProcess broker = new BrokerProcess(dir, "log_type all\n")) {
            broker.start();
            Receiver reader = new Receiver();
            int next = 1;
            for (Phase phase : Phase.values()) {
                int flows = 1 + random.nextInt(12);
                RawMqttClient sub = RawMqttClient.open(broker.port);
                sub.connect("out-sub", false, 60);
                sub.subscribe(1, "out/q2", QoS.EXACTLY_ONCE);
                try (RawMqttClient pub = RawMqttClient.open(broker.port)) {
                    pub.connect("out-pub", true, 60);
                    for (int i = 0; i < flows; i++) {
                        int n = next++;
                        sendQos2(pub, "out/q2", n);
                        if (i < flows - 1) {
                            try {
                                reader.completeOne(sub);
                            } catch (AssertionError e) {
                                throw new AssertionError("at " + phase + ", message " + n + "; log:\n" + broker.logText(), e);
                            }
                        }
                    }
                }
                // The last delivery stops at the phase (as seen from the receiving client).
                Publish p = sub.receive(Publish.class, WAIT);
                reader.onPublish(p);
                if (phase.compareTo(Phase.PUBREC_SEEN) >= 0) {
                    sub.send(new PubRec(p.packetId()));
                }
                if (phase.compareTo(Phase.PUBREL_SENT) >= 0) {
                    reader.onPubRel(sub, sub.receive(PubRel.class, WAIT), phase == Phase.PUBCOMP_SEEN);
                }
                Thread.sleep(phase == Phase.PUBCOMP_SEEN ? 50 : random.nextInt(20));
                broker.kill();
                sub.close();
                broker.start();

                sub = RawMqttClient.open(broker.port);
                assertThat(sub.connect("out-sub", false, 60).sessionPresent()).isTrue();
                reader.drain(sub);
                sub.disconnect();
            }
            int last = next - 1;
            Map<Integer, Integer> counts = new TreeMap<>();
            for (int n : reader.delivered) {
                counts.merge(n, 1, Integer::sum);
            }
            assertExactlyOnce(counts, last, broker);
        }
    }

    @Test
    void acknowledgedSubscriptionsAndSession_surviveSigkill(@TempDir Path dir) throws Exception {
        try (BrokerProcess broker = new BrokerProcess(dir)) {
            broker.start();
            try (RawMqttClient sub = RawMqttClient.open(broker.port)) {
                assertThat(sub.connect("subs", false, 60).sessionPresent()).isFalse();
                sub.subscribe(1, "keep/#", QoS.AT_LEAST_ONCE);
                sub.subscribe(2, "drop/#", QoS.AT_LEAST_ONCE);
                sub.send(new Unsubscribe(3, List.of("drop/#"), Properties.EMPTY));
                sub.receive(UnsubAck.class, WAIT);
                broker.kill();
            }
            broker.start();
            try (RawMqttClient sub = RawMqttClient.open(broker.port)) {
                assertThat(sub.connect("subs", false, 60).sessionPresent()).as("session present after SIGKILL")
                        .isTrue();
                try (RawMqttClient pub = RawMqttClient.open(broker.port)) {
                    pub.connect("subs-pub", true, 60);
                    pub.send(RawMqttClient.publishPacket("drop/x", "dropped", QoS.AT_LEAST_ONCE, 1));
                    pub.receive(PubAck.class, WAIT);
                    pub.send(RawMqttClient.publishPacket("keep/x", "kept", QoS.AT_LEAST_ONCE, 2));
                    pub.receive(PubAck.class, WAIT);
                }
                Publish p = sub.receive(Publish.class, WAIT);
                assertThat(RawMqttClient.payloadOf(p)).as("the subscription acknowledged before SIGKILL")
                        .isEqualTo("kept");
                sub.send(new PubAck(p.packetId()));
                assertThat(sub.poll(Duration.ofMillis(300))).as("nothing on the unsubscribed filter").isEmpty();
            }
        }
    }

    private static final int IDS = 5;

    /** Packet ids cycle over a few values, so that an id whose flow is wrongly remembered is soon reused. */
    private static int idOf(int n) {
        return 1 + n % IDS;
    }

    private static void sendQos2(RawMqttClient pub, int n) {
        sendQos2(pub, "in/q2", n);
    }

    private static void sendQos2(RawMqttClient pub, String topic, int n) {
        int id = idOf(n);
        pub.send(RawMqttClient.publishPacket(topic, Integer.toString(n), QoS.EXACTLY_ONCE, id));
        assertThat(pub.receive(PubRec.class, WAIT).reasonCode()).isLessThan(0x80);
        pub.send(new PubRel(id));
        pub.receive(PubComp.class, WAIT);
    }

    /** Connects the persistent reader and takes every message until {@code last}, completing each flow. */
    private static Map<Integer, Integer> readAll(BrokerProcess broker, String clientId, int last) throws Exception {
        Receiver reader = new Receiver();
        try (RawMqttClient sub = RawMqttClient.open(broker.port)) {
            assertThat(sub.connect(clientId, false, 60).sessionPresent()).isTrue();
            reader.drain(sub);
            sub.disconnect();
        }
        Map<Integer, Integer> counts = new TreeMap<>();
        for (int n : reader.delivered) {
            counts.merge(n, 1, Integer::sum);
        }
        return counts;
    }

    private void assertExactlyOnce(Map<Integer, Integer> counts, int last, BrokerProcess broker) throws Exception {
        List<Integer> missing = new ArrayList<>();
        List<Integer> twice = new ArrayList<>();
        for (int n = 1; n <= last; n++) {
            int c = counts.getOrDefault(n, 0);
            if (c == 0) {
                missing.add(n);
            } else if (c > 1) {
                twice.add(n);
            }
        }
        assertThat(missing).as("messages lost (seed %d); received %s", seed, counts).isEmpty();
        assertThat(twice).as("messages delivered twice (seed %d); received %s", seed, counts).isEmpty();
    }

    /**
     * A QoS 2 receiver as the spec describes it (method B, MQTT 4.3.3): a message goes to the application
     * on its first PUBLISH; its packet id is kept until PUBREL, and a PUBLISH with a kept id is a resend.
     */
    private static final class Receiver {
        final List<Integer> delivered = new ArrayList<>();
        final Set<Integer> awaitingRelease = new HashSet<>();

        void onPublish(Publish p) {
            if (awaitingRelease.add(p.packetId())) {
                delivered.add(Integer.parseInt(RawMqttClient.payloadOf(p)));
            }
        }

        void onPubRel(RawMqttClient sub, PubRel rel, boolean answer) {
            awaitingRelease.remove(rel.packetId());
            if (answer) {
                sub.send(new PubComp(rel.packetId()));
            }
        }

        void completeOne(RawMqttClient sub) {
            Publish p = sub.receive(Publish.class, WAIT);
            onPublish(p);
            sub.send(new PubRec(p.packetId()));
            onPubRel(sub, sub.receive(PubRel.class, WAIT), true);
        }

        /** Answers whatever the broker sends until it has been quiet for a while. */
        void drain(RawMqttClient sub) {
            while (true) {
                Packet packet = sub.poll(Duration.ofSeconds(1)).orElse(null);
                if (packet == null) {
                    return;
                }
                if (packet instanceof Publish p) {
                    onPublish(p);
                    sub.send(new PubRec(p.packetId()));
                } else if (packet instanceof PubRel rel) {
                    onPubRel(sub, rel, true);
                }
            }
        }
    }
}
