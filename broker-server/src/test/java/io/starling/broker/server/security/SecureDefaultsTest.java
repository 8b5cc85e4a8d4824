package io.starling.broker.server.security;

import static io.starling.broker.server.security.SecurityFixtures.user;
import static io.starling.broker.server.security.SecurityFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.starling.broker.server.Broker;
import io.starling.broker.server.Main;
import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.PubAck;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.SubAck;
import io.starling.mqtt.codec.Will;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What the security files do when they are sparse, odd or abused: the safe answer every time. */
@Timeout(60)
class SecureDefaultsTest {
    private static final Duration NOT_DELIVERED = Duration.ofMillis(300);

    @TempDir
    Path dir;
    private Broker broker;

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    // ---- %c and %u ----

    /**
     * {@code pattern readwrite users/%u/#}: a user named {@code +} would otherwise get
     * {@code users/+/#}, every user's topics; {@code #} likewise; {@code alice/inbox} would get
     * {@code users/alice/inbox/#}, inside alice's. Such a pattern simply does not apply to them.
     */
    @Test
    void usernameOrClientIdWithWildcardsOrSlash_neverWidensAPattern() throws Exception {
        broker = SecurityFixtures.startStarling(dir,
                "allow_anonymous true",
                "acl_file " + write(dir.resolve("aclfile"),
                        "pattern readwrite users/%u/#",
                        "pattern readwrite clients/%c/#"));
        int port = broker.port();
        List<Paho3> open = new ArrayList<>();
        try {
            // The owner's own subscriber: the positive control and the end marker.
            Paho3 aliceSub = track(open, Paho3.connect(port, "alice", "alice", null));
            aliceSub.subscribe("users/alice/#", 1);
            aliceSub.subscribe("clients/alice/#", 1);
            Map<String, Paho3> attackers = new LinkedHashMap<>();
            for (String[] who : new String[][] {
                    {"id-plus", "+"}, {"id-hash", "#"}, {"id-slash", "alice/inbox"}, {"id-plus-hash", "+/#"},
                    {"+", "mallory"}, {"#", "mallory2"}, {"alice/inbox", "mallory3"}, {"+/#", "mallory4"}}) {
                Paho3 c = track(open, Paho3.connect(port, who[0], who[1], null));
                assertThat(c.subscribe("#", 1)).as("%s/%s: granted, reads checked per message", who[0], who[1])
                        .isEqualTo(1);
                c.subscribe("users/alice/inbox/#", 1);
                c.subscribe("clients/alice/#", 1);
                attackers.put("client id '" + who[0] + "', user '" + who[1] + "'", c);
                // Nor may they write into alice's topics.
                c.publish("users/alice/inbox/forged", "forged by " + who[1], 1, false);
                c.publish("clients/alice/forged", "forged by " + who[0], 1, false);
            }

            Paho3 alicePub = track(open, Paho3.connect(port, "alice-pub", "alice", null));
            alicePub.publish("users/alice/inbox/msg", "for alice only", 1, false);
            alicePub.publish("users/alice/end", "end", 1, false);
            assertThat(aliceSub.awaitMessage(m -> m.topic().equals("users/alice/end"), Paho3.TIMEOUT)).isTrue();
            Thread.sleep(NOT_DELIVERED.toMillis());

            assertThat(aliceSub.drain()).as("alice gets her own messages, and nothing forged")
                    .containsExactly(new Paho3.Msg("users/alice/inbox/msg", "for alice only", false),
                            new Paho3.Msg("users/alice/end", "end", false));
            attackers.forEach((who, c) -> assertThat(c.drain()).as(who).isEmpty());
            attackers.forEach((who, c) -> assertThat(c.isConnected()).as(who).isTrue());
        } finally {
            open.forEach(Paho3::close);
        }
    }

    @Test
    void usernameWithoutWildcards_getsItsPattern() throws Exception {
        broker = SecurityFixtures.startStarling(dir,
                "allow_anonymous true",
                "acl_file " + write(dir.resolve("aclfile"), "pattern readwrite users/%u/#"));
        try (Paho3 sub = Paho3.connect(broker.port(), "bob-sub", "bob", null);
             Paho3 pub = Paho3.connect(broker.port(), "bob-pub", "bob", null)) {
            sub.subscribe("users/#", 1);
            pub.publish("users/bob/x", "mine", 1, false);
            assertThat(sub.poll(Paho3.TIMEOUT)).isEqualTo(new Paho3.Msg("users/bob/x", "mine", false));
        }
    }

    // ---- empty and comment-only ACL files ----

    @Test
    void emptyAclFile_deniesEverything() throws Exception {
        assertEverythingDenied(write(dir.resolve("aclfile")));
    }

    @Test
    void commentOnlyAclFile_deniesEverything() throws Exception {
        assertEverythingDenied(write(dir.resolve("aclfile"),
                "# nothing is allowed yet",
                "",
                "   # an indented comment",
                "\t"));
    }

    private void assertEverythingDenied(Path aclfile) throws Exception {
        Path pwfile = write(dir.resolve("pwfile"), user("u", "u-pass"));
        broker = SecurityFixtures.startStarling(dir,
                "allow_anonymous true",
                "password_file " + pwfile,
                "acl_file " + aclfile);
        int port = broker.port();
        try (Paho3 anonSub = Paho3.connect(port, "anon-sub", null, null);
             Paho3 userSub = Paho3.connect(port, "user-sub", "u", "u-pass");
             Paho3 anonPub = Paho3.connect(port, "anon-pub", null, null);
             Paho3 userPub = Paho3.connect(port, "user-pub", "u", "u-pass");
             RawMqttClient v5 = SecurityFixtures.rawConnected(port, MqttVersion.MQTT_5, "v5", "u", "u-pass")) {
            assertThat(anonSub.subscribe("#", 1)).isEqualTo(1);
            assertThat(userSub.subscribe("#", 1)).isEqualTo(1);
            anonPub.publish("a/b", "anon", 1, true);
            userPub.publish("a/b", "user", 1, true);
            userPub.publish("$SYS/fake", "user", 1, false);
            v5.send(RawMqttClient.publishPacket("a/b", "v5", QoS.AT_LEAST_ONCE, 1));
            assertThat(v5.receive(PubAck.class).reasonCode()).isEqualTo(0x87);
            Thread.sleep(NOT_DELIVERED.toMillis());
            assertThat(anonSub.drain()).isEmpty();
            assertThat(userSub.drain()).isEmpty();
        }
        try (Paho3 late = Paho3.connect(port, "late", "u", "u-pass")) {
            late.subscribe("#", 1);
            assertThat(late.poll(NOT_DELIVERED)).as("no retained message was stored or is readable").isNull();
        }
    }

    // ---- will ----

    /** As mosquitto 2.0.11: the CONNECT is accepted, and the will is dropped when it is due. */
    @Test
    void willOnATopicTheAclDenies_isAcceptedAndNeverSent() throws Exception {
        Path pwfile = write(dir.resolve("pwfile"), user("u", "u-pass"), user("r", "r-pass"));
        broker = SecurityFixtures.startStarling(dir,
                "allow_anonymous false",
                "password_file " + pwfile,
                "acl_file " + write(dir.resolve("aclfile"),
                        "user u",
                        "topic write status/#",
                        "topic read secret/#",
                        "topic deny status/denied",
                        "user r",
                        "topic read #"));
        int port = broker.port();
        Will denied = RawMqttClient.will("secret/x", "gone", QoS.AT_LEAST_ONCE, false);
        Will explicitlyDenied = RawMqttClient.will("status/denied", "gone", QoS.AT_MOST_ONCE, false);
        Will allowed = RawMqttClient.will("status/u", "gone", QoS.AT_LEAST_ONCE, false);
        try (Paho3 watcher = Paho3.connect(port, "watcher", "r", "r-pass")) {
            watcher.subscribe("#", 1);
            for (MqttVersion v : List.of(MqttVersion.MQTT_3_1, MqttVersion.MQTT_3_1_1, MqttVersion.MQTT_5)) {
                for (Will will : List.of(denied, explicitlyDenied, allowed)) {
                    try (RawMqttClient c = RawMqttClient.open(port)) {
                        assertThat(c.connect(new io.starling.mqtt.codec.Connect(v, "w", true, 60, "u",
                                "u-pass".getBytes(java.nio.charset.StandardCharsets.UTF_8), will,
                                io.starling.mqtt.codec.Properties.EMPTY)).reasonCode()).as("%s, %s", v, will.topic())
                                .isZero();
                    } // closed without DISCONNECT: the will is due
                }
                assertThat(watcher.poll(Paho3.TIMEOUT)).as("%s", v).isEqualTo(new Paho3.Msg("status/u", "gone", false));
                assertThat(watcher.poll(NOT_DELIVERED)).as("%s: the denied wills", v).isNull();
            }
        }
    }

    // ---- persistent sessions across an ACL reload ----

    /**
     * As mosquitto 2.0.11: a resumed session keeps its subscriptions whatever the ACL now says; what
     * it may read is decided per message by the rules in force, so the same subscription delivers
     * again once the rules allow it.
     */
    @Test
    void resumedPersistentSession_keepsItsSubscriptions_andTheCurrentAclFiltersEachMessage() throws Exception {
        Path pwfile = write(dir.resolve("pwfile"), user("u", "u-pass"), user("p", "p-pass"));
        Path aclfile = write(dir.resolve("aclfile"),
                "user u", "topic read a/#", "topic read b/#",
                "user p", "topic write a/#", "topic write b/#");
        broker = SecurityFixtures.startStarling(dir,
                "allow_anonymous false",
                "password_file " + pwfile,
                "acl_file " + aclfile);
        int port = broker.port();
        try (Paho3 sub = Paho3.connect(port, "persistent-u", "u", "u-pass", false)) {
            assertThat(sub.subscribe("a/#", 1)).isEqualTo(1);
            assertThat(sub.subscribe("b/#", 1)).isEqualTo(1);
        }
        try (Paho3 pub = Paho3.connect(port, "pub", "p", "p-pass")) {
            pub.publish("a/x", "queued before the reload", 1, false);
            pub.publish("b/x", "queued before the reload", 1, false);
            write(aclfile,
                    "user u", "topic deny a/#", "topic read b/#",
                    "user p", "topic write a/#", "topic write b/#");
            assertThat(broker.reloadSecurity()).isTrue();
            try (Paho3 sub = Paho3.connect(port, "persistent-u", "u", "u-pass", false)) {
                assertThat(sub.poll(Paho3.TIMEOUT)).as("queued while offline, still readable")
                        .isEqualTo(new Paho3.Msg("b/x", "queued before the reload", false));
                pub.publish("a/x", "after reconnect", 1, false);
                pub.publish("b/x", "marker", 1, false);
                assertThat(sub.poll(Paho3.TIMEOUT)).isEqualTo(new Paho3.Msg("b/x", "marker", false));
                assertThat(sub.poll(NOT_DELIVERED)).isNull();
            }

            write(aclfile,
                    "user u", "topic read a/#", "topic read b/#",
                    "user p", "topic write a/#", "topic write b/#");
            assertThat(broker.reloadSecurity()).isTrue();
            try (Paho3 sub = Paho3.connect(port, "persistent-u", "u", "u-pass", false)) {
                pub.publish("a/x", "allowed again", 1, false);
                assertThat(sub.poll(Paho3.TIMEOUT)).as("a/# was kept").isEqualTo(new Paho3.Msg("a/x", "allowed again", false));
            }
        }
    }

    // ---- retained messages ----

    @Test
    void retainedMessage_isNotDeliveredToASubscriberWhoMayNotReadIt() throws Exception {
        Path pwfile = write(dir.resolve("pwfile"), user("u", "u-pass"), user("p", "p-pass"));
        broker = SecurityFixtures.startStarling(dir,
                "allow_anonymous false",
                "password_file " + pwfile,
                "acl_file " + write(dir.resolve("aclfile"),
                        "user u", "topic read r/public/#", "topic deny r/denied/#",
                        "user p", "topic readwrite r/#"));
        int port = broker.port();
        try (Paho3 pub = Paho3.connect(port, "pub", "p", "p-pass")) {
            pub.publish("r/secret/x", "secret", 1, true);
            pub.publish("r/denied/x", "denied", 1, true);
            pub.publish("r/public/x", "public", 1, true);
        }
        try (Paho3 u = Paho3.connect(port, "u", "u", "u-pass");
             RawMqttClient raw = SecurityFixtures.rawConnected(port, MqttVersion.MQTT_5, "u5", "u", "u-pass")) {
            assertThat(u.subscribe("r/#", 1)).isEqualTo(1);
            assertThat(u.poll(Paho3.TIMEOUT)).isEqualTo(new Paho3.Msg("r/public/x", "public", true));
            assertThat(u.subscribe("r/secret/x", 1)).as("granted: not covered by a deny").isEqualTo(1);
            assertThat(u.poll(NOT_DELIVERED)).isNull();

            SubAck denied = raw.subscribe(1, "r/denied/#", QoS.AT_LEAST_ONCE);
            assertThat(denied.reasonCodes()).as("covered by a deny rule, granted as mosquitto does").containsExactly(1);
            assertThat(raw.subscribe(2, "r/secret/#", QoS.AT_LEAST_ONCE).reasonCodes()).containsExactly(1);
            assertThat(raw.poll(NOT_DELIVERED)).isEmpty();
        }
        try (Paho3 p = Paho3.connect(port, "p-reader", "p", "p-pass")) {
            p.subscribe("r/#", 1);
            List<Paho3.Msg> all = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                all.add(p.poll(Paho3.TIMEOUT));
            }
            assertThat(all).as("a reader who may read them gets all three")
                    .containsExactlyInAnyOrder(new Paho3.Msg("r/secret/x", "secret", true),
                            new Paho3.Msg("r/denied/x", "denied", true), new Paho3.Msg("r/public/x", "public", true));
        }
    }

    // ---- starling passwd ----

    @Test
    void starlingPasswdCreate_writesAFileOnlyItsOwnerCanRead_thatTheBrokerAccepts() throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        Path pwfile = dir.resolve("pwfile");
        int code = new CommandLine(new Main()).setExpandAtFiles(false)
                .execute("passwd", "-c", "-b", pwfile.toString(), "alice", "s3cret");
        assertThat(code).isZero();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pwfile))).isEqualTo("rw-------");
        assertThat(Files.readString(pwfile)).startsWith("alice:$7$101$");

        broker = SecurityFixtures.startStarling(dir, "allow_anonymous false", "password_file " + pwfile);
        assertThat(SecurityFixtures.connackCode(broker.port(), MqttVersion.MQTT_3_1_1, "a", "alice", "s3cret"))
                .isZero();
        assertThat(SecurityFixtures.connackCode(broker.port(), MqttVersion.MQTT_3_1_1, "b", "alice", "wrong"))
                .isEqualTo(0x05);
    }

    private static Paho3 track(List<Paho3> open, Paho3 client) {
        open.add(client);
        return client;
    }
}
