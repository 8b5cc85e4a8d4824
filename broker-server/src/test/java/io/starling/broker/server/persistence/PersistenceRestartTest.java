package io.starling.broker.server.persistence;

import static io.starling.broker.testkit.FreePorts.freePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.starling.broker.config.ConfigFile;
import io.starling.broker.core.routing.Message;
import io.starling.broker.server.Broker;
import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Packet;
import io.starling.mqtt.codec.PubAck;
import io.starling.mqtt.codec.PubComp;
import io.starling.mqtt.codec.PubRec;
import io.starling.mqtt.codec.PubRel;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.Will;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code persistence true} keeps across a stop and start of the broker on the same directory
 * (the crash case, SIGKILL, is {@link CrashRecoveryIT}).
 */
class PersistenceRestartTest {
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

    private void start(String extra) throws Exception {
        if (port == 0) {
            port = freePort();
        }
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(conf, "listener " + port + " 127.0.0.1\nallow_anonymous true\npersistence true\n"
                + "persistence_location " + dir + "\n" + extra);
        broker = Broker.start(ConfigFile.read(conf));
    }

    private void restart() throws Exception {
        broker.close();
        broker = null;
        start("");
    }

    @Test
    void queuedMessages_areDeliveredAfterRestart_inOrder_withSessionPresent() throws Exception {
        start("");
        try (RawMqttClient sub = RawMqttClient.open(port)) {
            sub.connect("keeper", false, 60);
            sub.subscribe(1, "q/#", QoS.EXACTLY_ONCE);
            sub.disconnect();
        }
        try (RawMqttClient pub = RawMqttClient.open(port)) {
            pub.connect("pub", true, 60);
            for (int i = 1; i <= 5; i++) {
                pub.send(RawMqttClient.publishPacket("q/" + i, "m" + i, i % 2 == 0 ? QoS.EXACTLY_ONCE : QoS.AT_LEAST_ONCE, i));
                if (i % 2 == 0) {
                    pub.receive(PubRec.class);
                    pub.send(new PubRel(i));
                    pub.receive(PubComp.class);
                } else {
                    pub.receive(PubAck.class);
                }
            }
        }
        restart();
        try (RawMqttClient sub = RawMqttClient.open(port)) {
            ConnAck ack = sub.connect("keeper", false, 60);
            assertThat(ack.sessionPresent()).isTrue();
            List<Integer> qos2Ids = new ArrayList<>();
            for (int i = 1; i <= 5; i++) { // all five fit in the inflight window: they come at once
                Publish p = sub.receive(Publish.class);
                assertThat(RawMqttClient.payloadOf(p)).isEqualTo("m" + i);
                assertThat(p.qos()).isEqualTo(i % 2 == 0 ? QoS.EXACTLY_ONCE : QoS.AT_LEAST_ONCE);
                if (p.qos() == QoS.AT_LEAST_ONCE) {
                    sub.send(new PubAck(p.packetId()));
                } else {
                    sub.send(new PubRec(p.packetId()));
                    qos2Ids.add(p.packetId());
                }
                p.release();
            }
            for (int id : qos2Ids) {
                assertThat(sub.receive(PubRel.class).packetId()).isEqualTo(id);
                sub.send(new PubComp(id));
            }
            sub.ping(); // the PUBCOMPs are handled before the restart below (it raced them under load)
            sub.disconnect();
        }
        restart();
        try (RawMqttClient sub = RawMqttClient.open(port)) {
            assertThat(sub.connect("keeper", false, 60).sessionPresent()).isTrue();
            assertThat(sub.poll(Duration.ofMillis(300))).as("acknowledged messages are gone").isEmpty();
        }
    }

    @Test
    void sharedSubscriptionMessages_queuedBeforeRestart_goToAnotherMember_whenTheirSessionEndsAfterIt() throws Exception {
        start("");
        for (String member : List.of("member-1", "member-2")) {
            try (RawMqttClient sub = RawMqttClient.open(port)) {
                sub.connect(member, false, 60);
                sub.subscribe(1, "$share/g/sh/#", QoS.AT_LEAST_ONCE);
                sub.disconnect();
            }
        }
        try (RawMqttClient pub = RawMqttClient.open(port)) {
            pub.connect("pub", true, 60);
            for (int i = 1; i <= 4; i++) {
                pub.send(RawMqttClient.publishPacket("sh/" + i, "m" + i, QoS.AT_LEAST_ONCE, i));
                pub.receive(PubAck.class);
            }
        }
        restart();
        try (RawMqttClient leaving = RawMqttClient.open(port)) {
            assertThat(leaving.connect("member-1", true, 60).sessionPresent()).isFalse(); // its stored session ends here
            leaving.disconnect();
        }
        List<String> got = new ArrayList<>();
        try (RawMqttClient staying = RawMqttClient.open(port)) {
            assertThat(staying.connect("member-2", false, 60).sessionPresent()).isTrue();
            Optional<Packet> next;
            while ((next = staying.poll(Duration.ofMillis(500))).isPresent()) {
                Publish p = (Publish) next.get();
                got.add(RawMqttClient.payloadOf(p));
                staying.send(new PubAck(p.packetId()));
                p.release();
            }
        }
        assertThat(got).as("each message once, the leaving member's share handed on").containsExactlyInAnyOrder(
                "m1", "m2", "m3", "m4");
    }

    @Test
    void inflightMessage_isResentWithDupAndSamePacketId_afterRestart() throws Exception {
        start("");
        int packetId;
        try (RawMqttClient sub = RawMqttClient.open(port)) {
            sub.connect("flaky", false, 60);
            sub.subscribe(1, "f", QoS.AT_LEAST_ONCE);
            try (RawMqttClient pub = RawMqttClient.open(port)) {
                pub.connect("pub-f", true, 60);
                pub.send(RawMqttClient.publishPacket("f", "unacked", QoS.AT_LEAST_ONCE, 3));
                pub.receive(PubAck.class);
            }
            Publish p = sub.receive(Publish.class);
            packetId = p.packetId();
            p.release(); // no PUBACK: still inflight
        }
        restart();
        try (RawMqttClient sub = RawMqttClient.open(port)) {
            sub.connect("flaky", false, 60);
            Publish again = sub.receive(Publish.class);
            assertThat(again.dup()).isTrue();
            assertThat(again.packetId()).isEqualTo(packetId);
            assertThat(RawMqttClient.payloadOf(again)).isEqualTo("unacked");
            again.release();
        }
    }

    @Test
    void incomingQos2_awaitingPubRel_isPassedOnOnceByItsPubRel_afterRestart() throws Exception {
        start("");
        try (RawMqttClient sub = RawMqttClient.open(port)) {
            sub.connect("q2-sub", false, 60);
            sub.subscribe(1, "q2/#", QoS.AT_LEAST_ONCE);
            sub.disconnect();
        }
        try (RawMqttClient pub = RawMqttClient.open(port)) {
            pub.connect("q2-pub", false, 60);
            pub.send(RawMqttClient.publishPacket("q2/resent", "once", QoS.EXACTLY_ONCE, 9));
            pub.receive(PubRec.class); // no PUBREL before the restart
            pub.send(new Publish(false, QoS.EXACTLY_ONCE, true, "q2/released", 10, Properties.EMPTY,
                    io.netty.buffer.Unpooled.copiedBuffer("kept", java.nio.charset.StandardCharsets.UTF_8)));
            pub.receive(PubRec.class);
        }
        restart();
        try (RawMqttClient pub = RawMqttClient.open(port)) {
            assertThat(pub.connect("q2-pub", false, 60).sessionPresent()).isTrue();
            Publish resent = RawMqttClient.publishPacket("q2/resent", "once", QoS.EXACTLY_ONCE, 9);
            pub.send(new Publish(true, resent.qos(), false, resent.topic(), 9, Properties.EMPTY, resent.payload()));
            pub.receive(PubRec.class);
            pub.send(new PubRel(9));
            pub.receive(PubComp.class);
            pub.send(new PubRel(10)); // held across the restart without a resend
            pub.receive(PubComp.class);
        }
        try (RawMqttClient sub = RawMqttClient.open(port)) {
            sub.connect("q2-sub", false, 60);
            List<String> got = new java.util.ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Publish p = sub.receive(Publish.class);
                got.add(p.topic() + " " + RawMqttClient.payloadOf(p));
                sub.send(new PubAck(p.packetId()));
                p.release();
            }
            assertThat(got).containsExactly("q2/resent once", "q2/released kept");
            assertThat(sub.poll(Duration.ofMillis(300))).as("passed on once").isEmpty();
        }
        try (RawMqttClient reader = RawMqttClient.open(port)) {
            reader.connect("q2-reader", true, 60);
            reader.subscribe(1, "q2/released", QoS.AT_MOST_ONCE);
            Publish retained = reader.receive(Publish.class);
            assertThat(retained.retain()).as("retained at its PUBREL").isTrue();
            retained.release();
        }
    }

    @Test
    void packetIds_queuedMessagesKeepTheirs_andTheCounterGoesOnAfterRestart() throws Exception {
        start("");
        try (RawMqttClient sub = RawMqttClient.open(port)) {
            sub.connect(v5("ids", 3600, null));
            sub.subscribe(1, "n", QoS.AT_LEAST_ONCE);
            try (RawMqttClient pub = RawMqttClient.open(port)) {
                pub.connect("ids-pub", true, 60);
                for (int i = 1; i <= 3; i++) {
                    pub.send(RawMqttClient.publishPacket("n", "m" + i, QoS.AT_LEAST_ONCE, i));
                    pub.receive(PubAck.class);
                }
            }
            for (int i = 1; i <= 3; i++) {
                Publish p = sub.receive(Publish.class);
                assertThat(p.packetId()).isEqualTo(i);
                sub.send(new PubAck(p.packetId()));
                p.release();
            }
            sub.ping();
            sub.send(new io.starling.mqtt.codec.Disconnect(0, Properties.EMPTY));
        }
        try (RawMqttClient pub = RawMqttClient.open(port)) {
            pub.connect("ids-pub", true, 60);
            pub.send(RawMqttClient.publishPacket("n", "m4", QoS.AT_LEAST_ONCE, 4)); // id 4, queued
            pub.receive(PubAck.class);
            pub.send(RawMqttClient.publishPacket("n", "m5", QoS.AT_LEAST_ONCE, 5)); // id 5, queued
            pub.receive(PubAck.class);
        }
        restart();
        try (RawMqttClient sub = RawMqttClient.open(port)) {
            assertThat(sub.connect(v5("ids", 3600, null)).sessionPresent()).isTrue();
            for (int i = 4; i <= 5; i++) {
                Publish p = sub.receive(Publish.class);
                assertThat(RawMqttClient.payloadOf(p)).isEqualTo("m" + i);
                assertThat(p.packetId()).as("the id it took when queued, before the restart").isEqualTo(i);
                sub.send(new PubAck(p.packetId()));
                p.release();
            }
            sub.ping();
            sub.send(new io.starling.mqtt.codec.Disconnect(0, Properties.EMPTY));
        }
        try (RawMqttClient pub = RawMqttClient.open(port)) {
            pub.connect("ids-pub", true, 60);
            pub.send(RawMqttClient.publishPacket("n", "m6", QoS.AT_LEAST_ONCE, 6)); // id 6, queued offline
            pub.receive(PubAck.class);
        }
        restart(); // the counter moved while the session was offline: the shutdown keeps it
        try (RawMqttClient sub = RawMqttClient.open(port)) {
            assertThat(sub.connect(v5("ids", 3600, null)).sessionPresent()).isTrue();
            Publish queued = sub.receive(Publish.class);
            assertThat(queued.packetId()).isEqualTo(6);
            sub.send(new PubAck(queued.packetId()));
            queued.release();
            try (RawMqttClient pub = RawMqttClient.open(port)) {
                pub.connect("ids-pub", true, 60);
                pub.send(RawMqttClient.publishPacket("n", "m7", QoS.AT_LEAST_ONCE, 7));
                pub.receive(PubAck.class);
            }
            Publish live = sub.receive(Publish.class);
            assertThat(live.packetId()).isEqualTo(7);
            live.release();
        }
    }

    @Test
    void sessionExpiry_keepsCountingWhileTheBrokerIsDown() throws Exception {
        start("");
        try (RawMqttClient c = RawMqttClient.open(port)) {
            c.connect(v5("short-lived", 1, null));
            c.subscribe(1, "x", QoS.AT_LEAST_ONCE);
            c.send(new io.starling.mqtt.codec.Disconnect(0, Properties.EMPTY));
        }
        try (RawMqttClient c = RawMqttClient.open(port)) {
            c.connect(v5("long-lived", 3600, null));
            c.send(new io.starling.mqtt.codec.Disconnect(0, Properties.EMPTY));
        }
        broker.close();
        broker = null;
        Thread.sleep(1_500);
        start("");
        try (RawMqttClient c = RawMqttClient.open(port)) {
            assertThat(c.connect(v5("short-lived", 60, null)).sessionPresent()).as("expired while down").isFalse();
        }
        try (RawMqttClient c = RawMqttClient.open(port)) {
            assertThat(c.connect(v5("long-lived", 60, null)).sessionPresent()).isTrue();
        }
    }

    @Test
    void expiredMessages_areNotDeliveredAfterRestart() throws Exception {
        start("");
        try (RawMqttClient sub = RawMqttClient.open(port)) {
            sub.connect("exp-sub", false, 60);
            sub.subscribe(1, "e", QoS.AT_LEAST_ONCE);
            sub.disconnect();
        }
        try (RawMqttClient pub = RawMqttClient.open(port)) {
            pub.connect(v5("exp-pub", 0, null));
            pub.send(new Publish(false, QoS.AT_LEAST_ONCE, false, "e", 1,
                    props(PropertyId.MESSAGE_EXPIRY_INTERVAL, 1),
                    io.netty.buffer.Unpooled.wrappedBuffer("short".getBytes(StandardCharsets.UTF_8))));
            pub.receive(PubAck.class);
            pub.send(new Publish(false, QoS.AT_LEAST_ONCE, false, "e", 2, Properties.EMPTY,
                    io.netty.buffer.Unpooled.wrappedBuffer("long".getBytes(StandardCharsets.UTF_8))));
            pub.receive(PubAck.class);
        }
        broker.close();
        broker = null;
        Thread.sleep(2_100); // past the second after its arrival second (whole wall-clock seconds, as mosquitto)
        start("");
        try (RawMqttClient sub = RawMqttClient.open(port)) {
            sub.connect("exp-sub", false, 60);
            Publish p = sub.receive(Publish.class);
            assertThat(RawMqttClient.payloadOf(p)).isEqualTo("long");
            p.release();
        }
    }

    @Test
    void delayedWill_isPublishedAfterRestart() throws Exception {
        start("");
        try (RawMqttClient watcher = RawMqttClient.open(port)) {
            watcher.connect("watcher", false, 60);
            watcher.subscribe(1, "wills/#", QoS.AT_LEAST_ONCE);
            watcher.disconnect();
        }
        RawMqttClient dying = RawMqttClient.open(port);
        Will will = new Will("wills/dying", "gone".getBytes(StandardCharsets.UTF_8), QoS.AT_LEAST_ONCE, false,
                props(PropertyId.WILL_DELAY_INTERVAL, 2));
        dying.connect(v5("dying", 3600, will));
        dying.close(); // lost without DISCONNECT: the will waits 2 s
        Thread.sleep(300);
        restart();
        try (RawMqttClient watcher = RawMqttClient.open(port)) {
            watcher.connect("watcher", false, 60);
            Publish p = watcher.receive(Publish.class, Duration.ofSeconds(5));
            assertThat(p.topic()).isEqualTo("wills/dying");
            assertThat(RawMqttClient.payloadOf(p)).isEqualTo("gone");
            p.release();
        }
    }

    @Test
    void delayedWills_allGoOutWhenTheBrokerStops() throws Exception {
        start("");
        try (RawMqttClient watcher = RawMqttClient.open(port)) {
            watcher.connect("watcher", false, 60);
            watcher.subscribe(1, "wills/#", QoS.AT_LEAST_ONCE);
            watcher.disconnect();
        }
        RawMqttClient lost = RawMqttClient.open(port);
        lost.connect(v5("lost", 3600, new Will("wills/lost", "a".getBytes(StandardCharsets.UTF_8), QoS.AT_LEAST_ONCE,
                false, props(PropertyId.WILL_DELAY_INTERVAL, 3600))));
        lost.close(); // its will waits an hour
        RawMqttClient connected = RawMqttClient.open(port);
        connected.connect(v5("connected", 3600, new Will("wills/connected", "b".getBytes(StandardCharsets.UTF_8),
                QoS.AT_LEAST_ONCE, false, props(PropertyId.WILL_DELAY_INTERVAL, 3600))));
        Thread.sleep(300);
        restart(); // as mosquitto 2.0.11: every will is sent when the broker stops, delay or not
        connected.close();
        try (RawMqttClient watcher = RawMqttClient.open(port)) {
            watcher.connect("watcher", false, 60);
            List<String> topics = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Publish p = watcher.receive(Publish.class, Duration.ofSeconds(2));
                topics.add(p.topic());
                watcher.send(new PubAck(p.packetId()));
                p.release();
            }
            assertThat(topics).containsExactlyInAnyOrder("wills/lost", "wills/connected");
        }
    }

    @Test
    void retainedSysMessageInTheStore_isDroppedAtStart() throws Exception {
        start("");
        // What an older broker, which let clients write $SYS, may have left in the store.
        Message fake = new Message("$SYS/broker/clients/fake", QoS.AT_LEAST_ONCE, true,
                Unpooled.copiedBuffer("fake", StandardCharsets.UTF_8), Properties.EMPTY, "attacker", Message.NEVER_EXPIRES);
        broker.core().store().saveRetained(fake);
        fake.release();
        restart();
        try (RawMqttClient sub = RawMqttClient.open(port)) {
            sub.connect("sys-reader", true, 60);
            sub.subscribe(1, "$SYS/broker/clients/fake", QoS.AT_LEAST_ONCE);
            assertThat(sub.poll(Duration.ofMillis(300))).isEmpty();
        }
    }

    @Test
    void secondBrokerOnTheSameDirectory_isRefusedNamingIt() throws Exception {
        start("");
        Path conf = dir.resolve("second.conf");
        Files.writeString(conf, "listener " + freePort() + " 127.0.0.1\npersistence true\npersistence_location "
                + dir + "\n");
        assertThatThrownBy(() -> Broker.start(ConfigFile.read(conf)).close())
                .isInstanceOf(Broker.StartException.class)
                .hasMessageContaining(dir.resolve("mosquitto.db").toString());
    }

    /** The first bytes of a database written by Debian's mosquitto 2.0.11 (a retained message, saved at shutdown). */
    private static final byte[] MOSQUITTO_DB_START = {0x00, (byte) 0xB5, 0x00, 'm', 'o', 's', 'q', 'u', 'i', 't', 't',
            'o', ' ', 'd', 'b', 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0x00};

    @Test
    void mosquittoDatabaseFile_isLeftAlone_andStarlingsFileGoesBesideIt() throws Exception {
        Files.write(dir.resolve("mosquitto.db"), MOSQUITTO_DB_START);
        start("");
        try (RawMqttClient sub = RawMqttClient.open(port)) {
            sub.connect("beside", false, 60);
            sub.disconnect();
        }
        restart();
        try (RawMqttClient sub = RawMqttClient.open(port)) {
            assertThat(sub.connect("beside", false, 60).sessionPresent()).isTrue();
        }
        assertThat(Files.readAllBytes(dir.resolve("mosquitto.db"))).isEqualTo(MOSQUITTO_DB_START);
        assertThat(dir.resolve("mosquitto.db.starling")).isRegularFile();
        assertThat(dir.resolve("mosquitto.db.starling.rocksdb")).isDirectory();
    }

    @Test
    void persistenceFile_isARegularFileNamingTheStore_whileRunningAndAfterShutdown() throws Exception {
        start("");
        assertThat(dir.resolve("mosquitto.db")).isRegularFile();
        broker.close();
        broker = null;
        assertThat(dir.resolve("mosquitto.db")).isRegularFile();
        assertThat(Files.readString(dir.resolve("mosquitto.db"))).contains("starling-store 1 mosquitto.db.rocksdb");
        assertThat(dir.resolve("mosquitto.db.rocksdb")).isDirectory();
    }

    @Test
    void persistenceFileDeletedWhileStopped_startsEmpty() throws Exception {
        start("");
        try (RawMqttClient sub = RawMqttClient.open(port)) {
            sub.connect("forgotten", false, 60);
            sub.subscribe(1, "f/#", QoS.AT_LEAST_ONCE);
            sub.disconnect();
        }
        broker.close();
        broker = null;
        Files.delete(dir.resolve("mosquitto.db")); // what an operator does to mosquitto to start afresh
        start("");
        try (RawMqttClient sub = RawMqttClient.open(port)) {
            assertThat(sub.connect("forgotten", false, 60).sessionPresent()).isFalse();
        }
        assertThat(dir.resolve("mosquitto.db")).isRegularFile();
    }

    @Test
    void persistenceFileDeletedWhileRunning_isWrittenAgainAtShutdown_andTheStoreKept() throws Exception {
        start("");
        try (RawMqttClient sub = RawMqttClient.open(port)) {
            sub.connect("kept", false, 60);
            sub.disconnect();
        }
        Files.delete(dir.resolve("mosquitto.db")); // mosquitto saves its database at shutdown all the same
        restart();
        try (RawMqttClient sub = RawMqttClient.open(port)) {
            assertThat(sub.connect("kept", false, 60).sessionPresent()).isTrue();
        }
    }

    @Test
    void persistenceFileThatIsNeitherStarlingsNorMosquittos_refusesToStart_namingIt() throws Exception {
        Files.writeString(dir.resolve("mosquitto.db"), "something else\n");
        assertThatThrownBy(() -> start(""))
                .isInstanceOf(Broker.StartException.class)
                .hasMessageContaining(dir.resolve("mosquitto.db").toString())
                .hasMessageContaining("neither a Starling store file nor a Mosquitto database");
        assertThat(Files.readString(dir.resolve("mosquitto.db"))).isEqualTo("something else\n");
    }

    @Test
    void storeDirectoryOfAnOlderStarling_isMovedBesideTheFile_withItsData() throws Exception {
        start("");
        try (RawMqttClient sub = RawMqttClient.open(port)) {
            sub.connect("older", false, 60);
            sub.disconnect();
        }
        broker.close();
        broker = null;
        // The layout before issue 15: the RocksDB directory itself at persistence_location/persistence_file.
        Files.delete(dir.resolve("mosquitto.db"));
        Files.move(dir.resolve("mosquitto.db.rocksdb"), dir.resolve("mosquitto.db"));
        start("");
        try (RawMqttClient sub = RawMqttClient.open(port)) {
            assertThat(sub.connect("older", false, 60).sessionPresent()).isTrue();
        }
        assertThat(dir.resolve("mosquitto.db")).isRegularFile();
    }

    @Test
    void withoutPersistence_nothingSurvivesARestart() throws Exception {
        port = freePort();
        Path conf = dir.resolve("memory.conf");
        Files.writeString(conf, "listener " + port + " 127.0.0.1\nallow_anonymous true\npersistence false\n");
        broker = Broker.start(ConfigFile.read(conf));
        try (RawMqttClient sub = RawMqttClient.open(port)) {
            sub.connect("mem", false, 60);
            sub.disconnect();
        }
        broker.close();
        broker = Broker.start(ConfigFile.read(conf));
        try (RawMqttClient sub = RawMqttClient.open(port)) {
            assertThat(sub.connect("mem", false, 60).sessionPresent()).isFalse();
        }
    }

    private static Connect v5(String clientId, long expiry, Will will) {
        return new Connect(MqttVersion.MQTT_5, clientId, false, 60, null, null, will,
                props(PropertyId.SESSION_EXPIRY_INTERVAL, expiry));
    }

    private static Properties props(PropertyId id, long value) {
        return Properties.builder().number(id, value).build();
    }

}
