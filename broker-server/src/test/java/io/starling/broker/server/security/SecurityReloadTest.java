package io.starling.broker.server.security;

import static io.starling.broker.server.security.SecurityFixtures.user;
import static io.starling.broker.server.security.SecurityFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.server.Broker;
import io.starling.mqtt.codec.MqttVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code broker.reloadSecurity()} (what SIGHUP does): new password and ACL files apply to clients
 * already connected, without dropping them; a file that cannot be read leaves the previous rules in
 * force — never "allow everything" (which is what mosquitto 2.0.11 does after a failed ACL reload).
 */
@Timeout(60)
class SecurityReloadTest {
    private static final Duration NOT_DELIVERED = Duration.ofMillis(300);

    @TempDir
    Path dir;
    private Path pwfile;
    private Path aclfile;
    private Broker broker;

    @BeforeEach
    void start() throws Exception {
        pwfile = write(dir.resolve("pwfile"), user("u", "u-pass"), user("p", "p-pass"));
        aclfile = write(dir.resolve("aclfile"),
                "user u",
                "topic read a/#",
                "topic read b/#",
                "user p",
                "topic write a/#",
                "topic write b/#",
                "topic write c/#");
        broker = SecurityFixtures.startStarling(dir,
                "allow_anonymous false",
                "password_file " + pwfile,
                "acl_file " + aclfile);
    }

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void aclReload_appliesToAConnectedSubscriber_whichStaysConnected() throws Exception {
        try (Paho3 sub = Paho3.connect(broker.port(), "sub", "u", "u-pass");
             Paho3 pub = Paho3.connect(broker.port(), "pub", "p", "p-pass")) {
            sub.subscribe("#", 1);
            pub.publish("a/x", "before", 1, false);
            assertThat(sub.poll(Paho3.TIMEOUT)).isEqualTo(new Paho3.Msg("a/x", "before", false));

            write(aclfile,
                    "user u",
                    "topic read b/#",
                    "user p",
                    "topic write a/#",
                    "topic write b/#");
            assertThat(broker.reloadSecurity()).isTrue();

            pub.publish("a/x", "after", 1, false);
            pub.publish("b/x", "marker", 1, false);
            // Messages of one publisher arrive in order: once the marker is in, a/x has been decided.
            assertThat(sub.poll(Paho3.TIMEOUT)).as("the next message u may read")
                    .isEqualTo(new Paho3.Msg("b/x", "marker", false));
            assertThat(sub.isConnected()).as("the reload keeps the connection").isTrue();
            assertThat(pub.isConnected()).isTrue();
            assertThat(sub.poll(NOT_DELIVERED)).isNull();
        }
    }

    @Test
    void aclReload_withASyntaxError_returnsFalse_andTheOldRulesStayEnforced() throws Exception {
        write(aclfile,
                "user u",
                "topic read c/#",
                "this is not an acl line");
        assertThat(broker.reloadSecurity()).isFalse();
        assertOldAclRulesInForce();
    }

    @Test
    void aclReload_withAnInvalidTopic_returnsFalse_andTheOldRulesStayEnforced() throws Exception {
        write(aclfile,
                "user u",
                "topic read c/#/x");
        assertThat(broker.reloadSecurity()).isFalse();
        assertOldAclRulesInForce();
    }

    @Test
    void aclReload_withTheFileMissing_returnsFalse_andTheOldRulesStayEnforced() throws Exception {
        Files.delete(aclfile);
        assertThat(broker.reloadSecurity()).isFalse();
        assertOldAclRulesInForce();
    }

    @Test
    void aclReload_afterAFailedOne_appliesTheFixedFile() throws Exception {
        write(aclfile, "topic");
        assertThat(broker.reloadSecurity()).isFalse();
        write(aclfile, "user u", "topic read c/#", "user p", "topic write c/#", "topic write a/#");
        assertThat(broker.reloadSecurity()).isTrue();
        try (Paho3 sub = Paho3.connect(broker.port(), "sub", "u", "u-pass");
             Paho3 pub = Paho3.connect(broker.port(), "pub", "p", "p-pass")) {
            sub.subscribe("#", 1);
            pub.publish("a/x", "no longer readable", 1, false);
            pub.publish("c/x", "now readable", 1, false);
            assertThat(sub.poll(Paho3.TIMEOUT)).isEqualTo(new Paho3.Msg("c/x", "now readable", false));
            assertThat(sub.poll(NOT_DELIVERED)).isNull();
        }
    }

    @Test
    void passwordReload_aUserAddedToTheFile_canConnectAfterwards() throws Exception {
        assertThat(code("v", "v-pass")).as("not yet in the file").isEqualTo(0x05);
        write(pwfile, user("u", "u-pass"), user("p", "p-pass"), user("v", "v-pass"));
        assertThat(broker.reloadSecurity()).isTrue();
        assertThat(code("v", "v-pass")).isEqualTo(0x00);
        assertThat(code("v", "wrong")).isEqualTo(0x05);
        assertThat(code("u", "u-pass")).isEqualTo(0x00);
    }

    @Test
    void passwordReload_aUserRemovedOrChanged_isRefusedAtTheNextConnect() throws Exception {
        write(pwfile, user("p", "new-p-pass"));
        assertThat(broker.reloadSecurity()).isTrue();
        assertThat(code("u", "u-pass")).isEqualTo(0x05);
        assertThat(code("p", "p-pass")).isEqualTo(0x05);
        assertThat(code("p", "new-p-pass")).isEqualTo(0x00);
    }

    /**
     * Mosquitto 2.0.11, on SIGHUP, disconnects connected clients whose user is no longer in the
     * password file or whose password changed (observed: "Client subceshi disconnected." right after
     * "Reloading config."). Starling does the same: a reload checks every password-authenticated
     * client again, and only those refused now are disconnected.
     */
    @Test
    void passwordReload_disconnectsAConnectedClientWhoseUserWasRemoved_asMosquittoDoes() throws Exception {
        try (Paho3 sub = Paho3.connect(broker.port(), "sub", "u", "u-pass")) {
            write(pwfile, user("p", "p-pass"));
            assertThat(broker.reloadSecurity()).isTrue();
            long deadline = System.nanoTime() + Paho3.TIMEOUT.toNanos();
            while (sub.isConnected() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(sub.isConnected()).as("u was removed from the password file").isFalse();
        }
    }

    /** As mosquitto 2.0.11: the reload applies; an unusable line only locks out its own user. */
    @Test
    void passwordReload_withUnusableLines_appliesTheRest() throws Exception {
        write(pwfile, user("u", "u-pass"), "v-without-a-hash", "p:plain-text-password", user("w", "w-pass"));
        assertThat(broker.reloadSecurity()).isTrue();
        assertThat(code("u", "u-pass")).isEqualTo(0x00);
        assertThat(code("w", "w-pass")).isEqualTo(0x00);
        assertThat(code("p", "p-pass")).as("p's line is not usable").isEqualTo(0x05);
        assertThat(code("p", "plain-text-password")).isEqualTo(0x05);
    }

    @Test
    void passwordReload_userOnTwoLines_theLastUsableLineCounts() throws Exception {
        write(pwfile, user("u", "u-pass"), user("u", "again"), user("p", "p-pass"), "p:plain");
        assertThat(broker.reloadSecurity()).isTrue();
        assertThat(code("u", "again")).isEqualTo(0x00);
        assertThat(code("u", "u-pass")).isEqualTo(0x05);
        assertThat(code("p", "p-pass")).isEqualTo(0x00);
    }

    @Test
    void passwordReload_withTheFileMissing_returnsFalse_andKeepsTheOldUsers() throws Exception {
        Files.delete(pwfile);
        assertThat(broker.reloadSecurity()).isFalse();
        assertOldUsers();
    }

    @Test
    void aFailedReload_ofEitherFile_changesNeither() throws Exception {
        // A good new password file with a broken ACL: the new user must not get in either, or the
        // broker would run a password file with an ACL it was never meant for.
        write(pwfile, user("u", "u-pass"), user("p", "p-pass"), user("v", "v-pass"));
        write(aclfile, "user v", "topic readwrite #", "oops");
        assertThat(broker.reloadSecurity()).isFalse();
        assertThat(code("v", "v-pass")).isEqualTo(0x05);
        assertOldAclRulesInForce();
    }

    /** u may read a/# and b/# but not c/#; p may write a/#, b/#, c/#. */
    private void assertOldAclRulesInForce() throws Exception {
        try (Paho3 sub = Paho3.connect(broker.port(), "sub-old", "u", "u-pass");
             Paho3 pub = Paho3.connect(broker.port(), "pub-old", "p", "p-pass")) {
            sub.subscribe("#", 1);
            pub.publish("c/x", "u may not read c", 1, false);
            pub.publish("a/x", "u may read a", 1, false);
            assertThat(sub.poll(Paho3.TIMEOUT)).as("old rules, not deny-all")
                    .isEqualTo(new Paho3.Msg("a/x", "u may read a", false));
            assertThat(sub.poll(NOT_DELIVERED)).as("old rules, not allow-all").isNull();
        }
        try (Paho3 sub = Paho3.connect(broker.port(), "sub-old-2", "p", "p-pass");
             Paho3 pub = Paho3.connect(broker.port(), "pub-old-2", "u", "u-pass")) {
            sub.subscribe("#", 1);
            pub.publish("a/x", "u may not write", 1, false);
            assertThat(sub.poll(NOT_DELIVERED)).as("p may not read, u may not write").isNull();
        }
    }

    private void assertOldUsers() {
        assertThat(code("u", "u-pass")).isEqualTo(0x00);
        assertThat(code("p", "p-pass")).isEqualTo(0x00);
        assertThat(code("u", "wrong")).isEqualTo(0x05);
        assertThat(code("v", "v-pass")).as("a user only the broken file has").isEqualTo(0x05);
        assertThat(SecurityFixtures.connackCode(broker.port(), MqttVersion.MQTT_3_1_1, "anon", null, null))
                .as("anonymous still refused").isEqualTo(0x05);
    }

    private int code(String username, String password) {
        return SecurityFixtures.connackCode(broker.port(), MqttVersion.MQTT_3_1_1, "c-" + username, username,
                password);
    }
}
