package io.starling.broker.server.security;

import static io.starling.broker.server.security.SecurityFixtures.user;
import static io.starling.broker.server.security.SecurityFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.starling.broker.config.ConfigFile;
import io.starling.broker.server.Broker;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A password or ACL file that cannot be read, or an ACL file with a bad line, stops
 * {@code Broker.start} with a {@link Broker.StartException} naming the file (and the line, where one is
 * to blame), before any port is opened. A password file's unusable lines do not: they are skipped with
 * a warning, as mosquitto 2.0.11 does, and only lock out the users they name.
 */
@Timeout(30)
class SecurityFileStartupTest {
    @TempDir
    Path dir;

    @Test
    void missingPasswordFile_stopsTheStart_namingTheFile() throws Exception {
        Path pwfile = dir.resolve("no-such-pwfile");
        assertStartFails(conf("password_file " + pwfile),
                "Error: Unable to open password file " + pwfile + ": no such file.");
    }

    @Test
    void passwordFileThatIsADirectory_stopsTheStart_namingTheFile() throws Exception {
        Path pwfile = Files.createDirectory(dir.resolve("pwdir"));
        assertStartFails(conf("password_file " + pwfile), "Error: Unable to open password file " + pwfile + ": ");
    }

    @Test
    void passwordFileWithoutReadPermission_stopsTheStart_namingTheFile() throws Exception {
        assumeFalse(SecurityFixtures.runningAsRoot(), "root reads any file");
        Path pwfile = write(dir.resolve("pwfile"), user("u", "u-pass"));
        Files.setPosixFilePermissions(pwfile, PosixFilePermissions.fromString("---------"));
        assertStartFails(conf("password_file " + pwfile), "Error: Unable to open password file " + pwfile);
    }

    /** As mosquitto 2.0.11: unusable lines are skipped (with a warning), the others' users log in. */
    @Test
    void passwordFileWithUnusableLines_starts_andOnlyItsUsableUsersLogIn() throws Exception {
        Path pwfile = write(dir.resolve("pwfile"), "# users", user("u", "u-pass"), "v-has-no-hash", "w:plain-text",
                ":" + user("x", "x-pass").substring(2));
        try (Broker broker = Broker.start(ConfigFile.read(conf("password_file " + pwfile)))) {
            assertThat(SecurityFixtures.connackCode(broker.port(), io.starling.mqtt.codec.MqttVersion.MQTT_3_1_1,
                    "c-u", "u", "u-pass")).isZero();
            assertThat(SecurityFixtures.connackCode(broker.port(), io.starling.mqtt.codec.MqttVersion.MQTT_3_1_1,
                    "c-w", "w", "plain-text")).isEqualTo(0x05);
        }
    }

    @Test
    void aclFileWithASyntaxError_stopsTheStart_namingFileAndLine() throws Exception {
        Path aclfile = write(dir.resolve("aclfile"), "user u", "topic read a/#", "topik read b/#");
        assertStartFails(conf("acl_file " + aclfile), "Error: " + aclfile + ":3: Invalid line in acl_file");
    }

    @Test
    void aclFileWithAnInvalidTopic_stopsTheStart_namingFileAndLine() throws Exception {
        Path aclfile = write(dir.resolve("aclfile"), "", "pattern read a/#/%u");
        assertStartFails(conf("acl_file " + aclfile), "Error: " + aclfile + ":2: Invalid topic 'a/#/%u'");
    }

    @Test
    void aclLineWithoutATopic_stopsTheStart_namingFileAndLine() throws Exception {
        Path aclfile = write(dir.resolve("aclfile"), "user u", "topic read");
        assertStartFails(conf("acl_file " + aclfile), "Error: " + aclfile + ":2: Missing topic");
    }

    @Test
    void missingAclFile_stopsTheStart_namingTheFile() throws Exception {
        Path aclfile = dir.resolve("no-such-aclfile");
        assertStartFails(conf("acl_file " + aclfile),
                "Error: Unable to open acl_file \"" + aclfile + "\": no such file.");
    }

    private Path conf(String securityLine) {
        return write(dir.resolve("mosquitto.conf"),
                "listener " + port + " 127.0.0.1",
                "allow_anonymous false",
                securityLine);
    }

    private final int port = SecurityFixtures.freePort();

    private void assertStartFails(Path conf, String messageStart) throws Exception {
        var config = ConfigFile.read(conf);
        assertThatThrownBy(() -> Broker.start(config).close())
                .isInstanceOf(Broker.StartException.class)
                .hasMessageStartingWith(messageStart);
        assertThat(portIsFree()).as("nothing was left listening on %d", port).isTrue();
    }

    private boolean portIsFree() {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
