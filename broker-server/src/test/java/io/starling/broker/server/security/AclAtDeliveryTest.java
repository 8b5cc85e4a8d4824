package io.starling.broker.server.security;

import static io.starling.broker.server.security.SecurityFixtures.freePort;
import static io.starling.broker.server.security.SecurityFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.PubAck;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.Will;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ACL applies when a message or a will actually goes out, not only when it was routed or
 * accepted: a session restored after a restart keeps the ACL of the listener it came through
 * ({@code per_listener_settings true}); a message queued for an offline session is checked against
 * the reader's ACL in force when it is delivered; a will against the publisher's ACL in force when it
 * is sent (after a reload or a restart). Clients are told apart by user name (anonymous access with
 * user names, so no password hashing slows the tests).
 */
@Timeout(60)
class AclAtDeliveryTest {
    private static final Duration NOT_DELIVERED = Duration.ofMillis(500);

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

    private static RawMqttClient connect(int port, String clientId, String user, boolean clean) {
        RawMqttClient c = RawMqttClient.open(port);
        int rc = c.connect(new Connect(MqttVersion.MQTT_3_1_1, clientId, clean, 60, user, null, null, Properties.EMPTY))
                .reasonCode();
        assertThat(rc).as("CONNACK of " + clientId).isZero();
        return c;
    }

    private static void publish(RawMqttClient c, String topic, String payload, int packetId) {
        c.send(RawMqttClient.publishPacket(topic, payload, QoS.AT_LEAST_ONCE, packetId));
        c.receive(PubAck.class);
    }

    /** The payloads of the messages that arrive until none has for a while, acknowledged. */
    private static String received(RawMqttClient c) {
        StringBuilder got = new StringBuilder();
        while (true) {
            var p = c.poll(NOT_DELIVERED);
            if (p.isEmpty()) {
                return got.toString().trim();
            }
            if (p.get() instanceof Publish pub) {
                got.append(pub.topic()).append(' ');
                if (pub.qos() == QoS.AT_LEAST_ONCE) {
                    c.send(new PubAck(pub.packetId()));
                }
                pub.release();
            }
        }
    }

    @Test
    void restoredSession_keepsItsListenersAcl_afterARestart() throws Exception {
        int limited = freePort();
        int open = freePort();
        Path acl = write(dir.resolve("acl"), "user lim", "topic read public/#");
        start("per_listener_settings true", "persistence true", "persistence_location " + dir,
                "listener " + limited + " 127.0.0.1", "allow_anonymous true", "acl_file " + acl,
                "listener " + open + " 127.0.0.1", "allow_anonymous true");
        try (RawMqttClient lim = connect(limited, "lim", "lim", false)) {
            lim.subscribe(1, "#", QoS.AT_LEAST_ONCE); // granted: reads are checked per message, as mosquitto does
            lim.disconnect();
        }
        restart();
        try (RawMqttClient pub = connect(open, "pub", null, true)) {
            publish(pub, "secret/3", "s", 1);
            publish(pub, "public/1", "p", 2);
        }
        try (RawMqttClient lim = connect(limited, "lim", "lim", false)) {
            assertThat(received(lim)).isEqualTo("public/1");
        }
    }

    @Test
    void restoredSession_whoseListenerIsGone_mayReadNothingUntilItReconnects() throws Exception {
        int before = freePort();
        int after = freePort();
        int open = freePort();
        start("per_listener_settings true", "persistence true", "persistence_location " + dir,
                "listener " + before + " 127.0.0.1", "allow_anonymous true",
                "listener " + open + " 127.0.0.1", "allow_anonymous true");
        try (RawMqttClient lim = connect(before, "moved", "moved", false)) {
            lim.subscribe(1, "#", QoS.AT_LEAST_ONCE);
            lim.disconnect();
        }
        broker.close();
        // The listener it came through is renumbered: whose rules apply is unknown, so none do (as
        // mosquitto, which denies a client without a listener when settings are per listener).
        start("per_listener_settings true", "persistence true", "persistence_location " + dir,
                "listener " + after + " 127.0.0.1", "allow_anonymous true",
                "listener " + open + " 127.0.0.1", "allow_anonymous true");
        try (RawMqttClient pub = connect(open, "pub", null, true)) {
            publish(pub, "offline/1", "while offline", 1);
        }
        try (RawMqttClient lim = connect(after, "moved", "moved", false);
             RawMqttClient pub = connect(open, "pub", null, true)) {
            assertThat(received(lim)).as("queued under no listener's rules").isEmpty();
            publish(pub, "online/1", "after reconnecting", 1);
            assertThat(received(lim)).as("the new listener's rules apply").isEqualTo("online/1");
        }
    }

    @Test
    void queuedMessage_isCheckedAgainstTheReadersAcl_whenDelivered() throws Exception {
        int port = freePort();
        Path acl = write(dir.resolve("acl"), "user lim", "topic read secret/#", "topic read public/#",
                "user pub", "topic write #");
        start("listener " + port + " 127.0.0.1", "allow_anonymous true", "acl_file " + acl);
        try (RawMqttClient lim = connect(port, "lim", "lim", false)) {
            lim.subscribe(1, "#", QoS.AT_LEAST_ONCE);
            lim.disconnect();
        }
        try (RawMqttClient pub = connect(port, "pub", "pub", true)) {
            publish(pub, "secret/1", "s", 1); // allowed now: queued for the offline session
            publish(pub, "public/1", "p", 2);
        }
        write(acl, "user lim", "topic read public/#", "user pub", "topic write #");
        assertThat(broker.reloadSecurity()).isTrue();
        try (RawMqttClient lim = connect(port, "lim", "lim", false)) {
            assertThat(received(lim)).isEqualTo("public/1");
        }
    }

    @Test
    void will_isCheckedAgainstTheAclInForce_whenSent_afterAReload() throws Exception {
        int port = freePort();
        Path acl = write(dir.resolve("acl"), "user w", "topic write will/#", "user watcher", "topic read #");
        start("listener " + port + " 127.0.0.1", "allow_anonymous true", "acl_file " + acl);
        try (RawMqttClient watcher = connect(port, "watcher", "watcher", true);
             RawMqttClient dying = RawMqttClient.open(port)) {
            watcher.subscribe(1, "will/#", QoS.AT_LEAST_ONCE);
            Will will = new Will("will/w", "gone".getBytes(StandardCharsets.UTF_8), QoS.AT_LEAST_ONCE, false,
                    Properties.EMPTY);
            assertThat(dying.connect(new Connect(MqttVersion.MQTT_3_1_1, "w", true, 60, "w", null, will,
                    Properties.EMPTY)).reasonCode()).isZero();

            write(acl, "user w", "topic write other/#", "user watcher", "topic read #");
            assertThat(broker.reloadSecurity()).isTrue();
            dying.close(); // lost without DISCONNECT: the will is due now

            assertThat(received(watcher)).as("the will w may no longer publish").isEmpty();
        }
    }

    @Test
    void delayedWill_isCheckedAgainstTheAclInForce_whenItFallsDue() throws Exception {
        int port = freePort();
        Path acl = write(dir.resolve("acl"), "user w", "topic write will/#", "user watcher", "topic read #");
        start("listener " + port + " 127.0.0.1", "allow_anonymous true", "acl_file " + acl,
                "persistence true", "persistence_location " + dir);
        try (RawMqttClient watcher = connect(port, "watcher", "watcher", false)) {
            watcher.subscribe(1, "will/#", QoS.AT_LEAST_ONCE); // a stored session: it gets the will whenever sent
            watcher.disconnect();
        }
        RawMqttClient dying = RawMqttClient.open(port);
        Will will = new Will("will/w", "gone".getBytes(StandardCharsets.UTF_8), QoS.AT_LEAST_ONCE, false,
                Properties.builder().number(PropertyId.WILL_DELAY_INTERVAL, 2).build());
        assertThat(dying.connect(new Connect(MqttVersion.MQTT_5, "w", false, 60, "w", null, will,
                Properties.builder().number(PropertyId.SESSION_EXPIRY_INTERVAL, 3600).build())).reasonCode()).isZero();
        dying.close(); // the will waits 2 s, in the store too
        Thread.sleep(200);
        // Not a restart: a clean stop sends every held will at once, as mosquitto does (issue 15).
        write(acl, "user w", "topic write other/#", "user watcher", "topic read #");
        assertThat(broker.reloadSecurity()).isTrue();
        Thread.sleep(2500); // past the will delay
        try (RawMqttClient watcher = connect(port, "watcher", "watcher", false)) {
            assertThat(received(watcher)).as("the stored will w may no longer publish").isEmpty();
        }
    }
}
