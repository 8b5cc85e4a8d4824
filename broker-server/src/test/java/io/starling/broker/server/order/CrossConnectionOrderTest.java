package io.starling.broker.server.order;

import static io.starling.broker.testkit.FreePorts.freePort;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.config.ConfigFile;
import io.starling.broker.core.session.Session;
import io.starling.broker.server.Broker;
import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.Disconnect;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Packet;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PubAck;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.SubAck;
import io.starling.mqtt.codec.Subscribe;
import io.starling.mqtt.codec.Subscription;
import io.starling.mqtt.codec.SubscriptionOptions;
import io.starling.mqtt.codec.UnsubAck;
import io.starling.mqtt.codec.Unsubscribe;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Order across connections (issue 15): mosquitto's single thread makes bytes that reached the broker
 * earlier take effect first, whichever connection they came on. Starling's event loops must not
 * invert what a client can see of that. These are races, so each test runs many rounds, with the
 * clients on two loops ({@code event_loops 2}) where it matters.
 */
@Timeout(120)
class CrossConnectionOrderTest {
    private static final int ROUNDS = 40;

    @TempDir
    Path dir;
    private Broker broker;
    private int port;

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private void start(String... lines) throws Exception {
        port = freePort();
        Path conf = dir.resolve("order.conf");
        Files.writeString(conf, "listener " + port + " 127.0.0.1\nallow_anonymous true\n" + String.join("\n", lines) + "\n");
        broker = Broker.start(ConfigFile.read(conf));
    }

    @Test
    void messageMatchedJustBeforeUnsubscribe_isNotDeliveredAfterTheUnsuback() throws Exception {
        start("event_loops 2");
        byte[] burst = burstOf("u/x", 5);
        int late = 0;
        for (int round = 0; round < ROUNDS; round++) {
            // Connections go to the loops in turn: the subscriber on one, the publisher on the other.
            try (RawMqttClient sub = RawMqttClient.open(port);
                 RawMqttClient pub = RawMqttClient.open(port)) {
                sub.connect("sub" + round, true, 60);
                sub.subscribe(1, "u/#", QoS.AT_MOST_ONCE);
                pub.connect("pub" + round, true, 60);
                AtomicBoolean publishing = new AtomicBoolean(true);
                Thread flood = new Thread(() -> {
                    while (publishing.get()) {
                        pub.send(burst);
                        LockSupport.parkNanos(500_000); // a steady stream, not a backlog
                    }
                });
                flood.start();
                try {
                    release(sub.receive(Publish.class)); // messages are flowing
                    sub.send(new Unsubscribe(2, List.of("u/#"), Properties.EMPTY));
                    Packet p;
                    while (!((p = sub.receive()) instanceof UnsubAck)) {
                        release(p);
                    }
                    Optional<Packet> after;
                    while ((after = sub.poll(Duration.ofMillis(100))).isPresent()) {
                        release(after.get());
                        late++;
                    }
                } finally {
                    publishing.set(false);
                    flood.join();
                }
            }
        }
        assertThat(late).as("PUBLISH packets after the UNSUBACK, over " + ROUNDS + " rounds").isZero();
    }

    @Test
    void retainedPublishSentJustBeforeItsConnectionClosed_isAppliedBeforeAnotherClientsLaterSubscribe() throws Exception {
        start("event_loops 2", "persistence true", "persistence_location " + dir);
        List<Integer> missed = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            String topic = "kept/" + round;
            try (RawMqttClient writer = RawMqttClient.open(port)) {
                writer.connect("writer" + round, true, 60);
                Publish retained = new Publish(false, QoS.AT_MOST_ONCE, true, topic, 0, Properties.EMPTY,
                        io.netty.buffer.Unpooled.wrappedBuffer(("v" + round).getBytes()));
                writer.send(retained);
                writer.send(Disconnect.NORMAL);
            }
            try (RawMqttClient reader = RawMqttClient.open(port)) {
                reader.connect("reader" + round, true, 60);
                reader.subscribe(1, topic, QoS.AT_MOST_ONCE);
                Optional<Packet> got = reader.poll(Duration.ofMillis(500));
                if (got.isPresent() && got.get() instanceof Publish p) {
                    assertThat(RawMqttClient.payloadOf(p)).isEqualTo("v" + round);
                    release(p);
                } else {
                    missed.add(round);
                }
            }
        }
        assertThat(missed).as("rounds whose SUBSCRIBE did not find the retained message").isEmpty();
    }

    @Test
    void retainedPublishSentBeforeTheConnackAndAClose_isStillApplied() throws Exception {
        start("event_loops 2", "persistence true", "persistence_location " + dir);
        List<Integer> missed = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            String topic = "early/" + round;
            // CONNECT, PUBLISH and DISCONNECT in one write, closed at once: mosquitto reads and applies
            // all three, in order, whatever the CONNACK is waiting for.
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            bytes.write(RawMqttClient.encode(new Connect(MqttVersion.MQTT_3_1_1, "early" + round, true, 60, null, null,
                    null, Properties.EMPTY), MqttVersion.MQTT_3_1_1));
            bytes.write(RawMqttClient.encode(new Publish(false, QoS.AT_MOST_ONCE, true, topic, 0, Properties.EMPTY,
                    io.netty.buffer.Unpooled.wrappedBuffer(("e" + round).getBytes())), MqttVersion.MQTT_3_1_1));
            bytes.write(RawMqttClient.encode(Disconnect.NORMAL, MqttVersion.MQTT_3_1_1));
            try (RawMqttClient writer = RawMqttClient.open(port)) {
                writer.send(bytes.toByteArray());
            }
            try (RawMqttClient reader = RawMqttClient.open(port)) {
                reader.connect("late" + round, true, 60);
                reader.subscribe(1, topic, QoS.AT_MOST_ONCE);
                Optional<Packet> got = reader.poll(Duration.ofMillis(500));
                if (got.isPresent() && got.get() instanceof Publish p) {
                    release(p);
                } else {
                    missed.add(round);
                }
            }
        }
        assertThat(missed).as("rounds whose retained PUBLISH, read before the close, was never applied").isEmpty();
    }

    @Test
    void retainedPublishOfAStoredSessionSentBeforeItsConnackAndAClose_isNotLost() throws Exception {
        // A session kept in the store: its CONNACK waits for the disk, and the PUBLISH read behind it
        // waits with it; the client closes meanwhile. Mosquitto handles what it read before the close.
        start("event_loops 2", "persistence true", "persistence_location " + dir);
        List<Integer> missed = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            String topic = "stored/" + round;
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            bytes.write(RawMqttClient.encode(new Connect(MqttVersion.MQTT_3_1_1, "stored" + round, false, 60, null,
                    null, null, Properties.EMPTY), MqttVersion.MQTT_3_1_1));
            bytes.write(RawMqttClient.encode(new Publish(false, QoS.AT_MOST_ONCE, true, topic, 0, Properties.EMPTY,
                    io.netty.buffer.Unpooled.wrappedBuffer(("s" + round).getBytes())), MqttVersion.MQTT_3_1_1));
            try (RawMqttClient writer = RawMqttClient.open(port)) {
                writer.send(bytes.toByteArray());
            }
            Thread.sleep(100); // the session is on disk by now
            try (RawMqttClient reader = RawMqttClient.open(port)) {
                reader.connect("after" + round, true, 60);
                reader.subscribe(1, topic, QoS.AT_MOST_ONCE);
                Optional<Packet> got = reader.poll(Duration.ofMillis(500));
                if (got.isPresent() && got.get() instanceof Publish p) {
                    assertThat(RawMqttClient.payloadOf(p)).isEqualTo("s" + round);
                    release(p);
                } else {
                    missed.add(round);
                }
            }
        }
        assertThat(missed).as("rounds whose retained PUBLISH, read before the close, was never applied").isEmpty();
    }

    @Test
    void retainedPublishBehindTheConnectOfAStoredSession_isAppliedBeforeAnotherClientsLaterSubscribe() throws Exception {
        // A session kept in the store: its CONNACK waits for the disk, but the PUBLISH read behind the
        // CONNECT takes effect at once, as on mosquitto's single thread; only its PUBACK waits, after the CONNACK.
        start("event_loops 2", "persistence true", "persistence_location " + dir);
        List<Integer> live = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            String topic = "behind/" + round;
            // Connections go to the loops in turn: the reader and a spare on one, the writer and the pinger on the other.
            try (RawMqttClient reader = RawMqttClient.open(port);
                 RawMqttClient writer = RawMqttClient.open(port);
                 RawMqttClient spare = RawMqttClient.open(port);
                 RawMqttClient pinger = RawMqttClient.open(port)) {
                reader.connect("reader" + round, true, 60);
                pinger.connect("pinger" + round, true, 60);
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                bytes.write(RawMqttClient.encode(new Connect(MqttVersion.MQTT_3_1_1, "behind" + round, false, 60, null,
                        null, null, Properties.EMPTY), MqttVersion.MQTT_3_1_1));
                bytes.write(RawMqttClient.encode(new Publish(false, QoS.AT_LEAST_ONCE, true, topic, 7, Properties.EMPTY,
                        io.netty.buffer.Unpooled.wrappedBuffer(("b" + round).getBytes())), MqttVersion.MQTT_3_1_1));
                writer.send(bytes.toByteArray());
                pinger.ping(); // the writer's loop has read what reached it before
                reader.send(new Subscribe(1, List.of(new Subscription(topic, SubscriptionOptions.of(QoS.AT_MOST_ONCE))),
                        Properties.EMPTY));
                reader.receive(SubAck.class);
                Publish p = reader.receive(Publish.class);
                assertThat(RawMqttClient.payloadOf(p)).isEqualTo("b" + round);
                if (!p.retain()) {
                    live.add(round); // routed to the new subscription: the SUBSCRIBE took effect first
                }
                release(p);
                assertThat(writer.receive()).isInstanceOf(ConnAck.class);
                assertThat(writer.receive()).isInstanceOf(PubAck.class);
            }
        }
        assertThat(live).as("rounds whose later SUBSCRIBE took effect before the retained PUBLISH").isEmpty();
    }

    @Test
    void subscribeBehindTheConnectOfAStoredSession_isAppliedBeforeAnotherClientsLaterPublish() throws Exception {
        start("event_loops 2", "persistence true", "persistence_location " + dir);
        List<Integer> missed = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            String topic = "first/" + round;
            // The publisher and a spare on one loop, the subscriber and the pinger on the other.
            try (RawMqttClient publisher = RawMqttClient.open(port);
                 RawMqttClient subscriber = RawMqttClient.open(port);
                 RawMqttClient spare = RawMqttClient.open(port);
                 RawMqttClient pinger = RawMqttClient.open(port)) {
                publisher.connect("publisher" + round, true, 60);
                pinger.connect("pinger" + round, true, 60);
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                bytes.write(RawMqttClient.encode(new Connect(MqttVersion.MQTT_3_1_1, "first" + round, false, 60, null,
                        null, null, Properties.EMPTY), MqttVersion.MQTT_3_1_1));
                bytes.write(RawMqttClient.encode(new Subscribe(1, List.of(
                        new Subscription(topic, SubscriptionOptions.of(QoS.AT_MOST_ONCE))), Properties.EMPTY),
                        MqttVersion.MQTT_3_1_1));
                subscriber.send(bytes.toByteArray());
                pinger.ping(); // the subscriber's loop has read what reached it before
                publisher.send(RawMqttClient.publishPacket(topic, "f" + round, QoS.AT_MOST_ONCE, 0));
                assertThat(subscriber.receive()).isInstanceOf(ConnAck.class);
                assertThat(subscriber.receive()).isInstanceOf(SubAck.class);
                Optional<Packet> got = subscriber.poll(Duration.ofMillis(300));
                if (got.isPresent() && got.get() instanceof Publish p) {
                    release(p);
                } else {
                    missed.add(round);
                }
            }
        }
        assertThat(missed).as("rounds whose SUBSCRIBE took effect after another client's later PUBLISH").isEmpty();
    }

    @Test
    void eventLoops1_servesEveryConnectionOnOneLoop() throws Exception {
        start("event_loops 1");
        List<RawMqttClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                RawMqttClient c = RawMqttClient.open(port);
                clients.add(c);
                c.connect("one" + i, true, 60);
            }
            Set<Object> loops = broker.core().sessions().all().stream().map(Session::owner).collect(Collectors.toSet());
            assertThat(loops).hasSize(1);
        } finally {
            clients.forEach(RawMqttClient::close);
        }
    }

    @Test
    void eventLoopsDefault_spreadsConnectionsOverOneLoopPerProcessor() throws Exception {
        start();
        List<RawMqttClient> clients = new ArrayList<>();
        try {
            int processors = Runtime.getRuntime().availableProcessors();
            for (int i = 0; i < 2 * processors; i++) {
                RawMqttClient c = RawMqttClient.open(port);
                clients.add(c);
                c.connect("many" + i, true, 60);
            }
            Set<Object> loops = broker.core().sessions().all().stream().map(Session::owner).collect(Collectors.toSet());
            assertThat(loops).hasSize(processors);
        } finally {
            clients.forEach(RawMqttClient::close);
        }
    }

    /** {@code count} QoS 0 PUBLISH packets in one buffer. */
    private static byte[] burstOf(String topic, int count) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            out.write(RawMqttClient.encode(RawMqttClient.publishPacket(topic, "m" + i, QoS.AT_MOST_ONCE, 0),
                    MqttVersion.MQTT_3_1_1));
        }
        return out.toByteArray();
    }

    private static void release(Packet p) {
        if (p instanceof Publish publish) {
            publish.release();
        }
    }

}
