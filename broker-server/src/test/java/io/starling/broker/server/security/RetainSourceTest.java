package io.starling.broker.server.security;

import static io.starling.broker.server.security.SecurityFixtures.freePort;
import static io.starling.broker.server.security.SecurityFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PubAck;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code check_retain_source true}: a retained message goes to a new subscriber only while its
 * publisher may still write it, under the rules in force after a SIGHUP or a restart (the publisher
 * is kept in the store) and, with per_listener_settings, those of the listener it published through.
 * A skipped message stays retained. Clients are told apart by user name (anonymous access with user
 * names, so no password hashing slows the tests).
 */
@Timeout(60)
class RetainSourceTest {
    private static final Duration NOT_DELIVERED = Duration.ofMillis(500);
    private static final String WRITER_MAY_WRITE = "user writer\ntopic readwrite r/#\nuser reader\ntopic read #\n";
    private static final String WRITER_MAY_NOT = "user writer\ntopic read r/#\nuser reader\ntopic read #\n";

    @TempDir
    Path dir;
    private final ConfBroker broker = new ConfBroker();

    @AfterEach
    void stop() {
        broker.close();
    }

    private void start(String... lines) throws Exception {
        broker.start(dir, lines);
    }

    private void restart() throws Exception {
        broker.restart();
    }

    private static RawMqttClient connect(int port, String clientId, String user) {
        RawMqttClient c = RawMqttClient.open(port);
        assertThat(c.connect(new Connect(MqttVersion.MQTT_3_1_1, clientId, true, 60, user, null, null,
                Properties.EMPTY)).reasonCode()).as("CONNACK of " + clientId).isZero();
        return c;
    }

    private static void publishRetained(int port, String user, String topic) {
        try (RawMqttClient c = connect(port, "pub-" + user, user)) {
            c.send(new Publish(false, QoS.AT_LEAST_ONCE, true, topic, 1, Properties.EMPTY,
                    io.netty.buffer.Unpooled.copiedBuffer(user, java.nio.charset.StandardCharsets.UTF_8)));
            c.receive(PubAck.class);
        }
    }

    /** The topics of the retained messages a new subscriber to {@code filter} gets. */
    private static String retainedFor(int port, String filter) {
        try (RawMqttClient c = connect(port, "reader", "reader")) {
            c.subscribe(1, filter, QoS.AT_MOST_ONCE);
            StringBuilder got = new StringBuilder();
            while (true) {
                var p = c.poll(NOT_DELIVERED);
                if (p.isEmpty()) {
                    return got.toString().trim();
                }
                if (p.get() instanceof Publish pub) {
                    got.append(pub.topic()).append(' ');
                    pub.release();
                }
            }
        }
    }

    @Test
    void retainedMessage_ofAPublisherWhoMayNoLongerWriteIt_isSkipped_afterAReloadAndARestart_andNotDeleted()
            throws Exception {
        int port = freePort();
        Path acl = write(dir.resolve("acl"), WRITER_MAY_WRITE);
        start("listener " + port + " 127.0.0.1", "allow_anonymous true", "acl_file " + acl,
                "check_retain_source true", "persistence true", "persistence_location " + dir);
        publishRetained(port, "writer", "r/1");
        assertThat(retainedFor(port, "r/#")).isEqualTo("r/1");

        Files.writeString(acl, WRITER_MAY_NOT);
        assertThat(broker.reloadSecurity()).isTrue();
        assertThat(retainedFor(port, "r/#")).as("after the reload").isEmpty();

        restart();
        assertThat(retainedFor(port, "r/#")).as("after a restart: the publisher was stored with it").isEmpty();

        Files.writeString(acl, WRITER_MAY_WRITE);
        assertThat(broker.reloadSecurity()).isTrue();
        assertThat(retainedFor(port, "r/#")).as("still retained").isEqualTo("r/1");
    }

    @Test
    void withoutCheckRetainSource_theRetainedMessageIsSentWhateverItsPublisherMayDoNow() throws Exception {
        int port = freePort();
        Path acl = write(dir.resolve("acl"), WRITER_MAY_WRITE);
        start("listener " + port + " 127.0.0.1", "allow_anonymous true", "acl_file " + acl);
        publishRetained(port, "writer", "r/1");
        Files.writeString(acl, WRITER_MAY_NOT);
        assertThat(broker.reloadSecurity()).isTrue();

        assertThat(retainedFor(port, "r/#")).isEqualTo("r/1");
    }

    @Test
    void withPerListenerSettings_thePublishersListenersRulesDecide() throws Exception {
        int writers = freePort();
        int readers = freePort();
        Path writerAcl = write(dir.resolve("writer-acl"), WRITER_MAY_WRITE);
        Path readerAcl = write(dir.resolve("reader-acl"), "user reader\ntopic read #\n");
        start("per_listener_settings true", "check_retain_source true",
                "listener " + writers + " 127.0.0.1", "allow_anonymous true", "acl_file " + writerAcl,
                "listener " + readers + " 127.0.0.1", "allow_anonymous true", "acl_file " + readerAcl);
        publishRetained(writers, "writer", "r/1");
        assertThat(retainedFor(readers, "r/#")).as("the reader's listener has no rule for writer").isEqualTo("r/1");

        Files.writeString(writerAcl, WRITER_MAY_NOT);
        assertThat(broker.reloadSecurity()).isTrue();

        assertThat(retainedFor(readers, "r/#")).isEmpty();
    }
}
