package io.starling.mqtt.tools;

import static io.starling.mqtt.tools.PasswdRun.passwd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.starling.broker.core.auth.file.PasswordFile;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files written by {@code starling passwd}, used by the real mosquitto 2.0 (the {@code mosquitto}
 * package): its broker accepts the users, and its mosquitto_passwd edits the file. Skipped where
 * mosquitto is not installed.
 */
class PasswdMosquittoTest {
    private static final Path MOSQUITTO = Path.of("/usr/sbin/mosquitto");
    private static final Path MOSQUITTO_PUB = Path.of("/usr/bin/mosquitto_pub");
    private static final Path MOSQUITTO_PASSWD = Path.of("/usr/bin/mosquitto_passwd");

    @TempDir
    Path dir;

    @Test
    void starlingFile_isAcceptedByTheMosquittoBroker_andWrongCredentialsAreNotAuthorized() throws Exception {
        assumeTrue(Files.isExecutable(MOSQUITTO) && Files.isExecutable(MOSQUITTO_PUB), "mosquitto is not installed");
        Path file = dir.resolve("passwd");
        assertThat(passwd("-b", "-c", file.toString(), "alice", "secret").status()).isZero();
        assertThat(passwd("-H", "sha512", "-b", file.toString(), "legacy", "old-one").status()).isZero();

        try (Mosquitto broker = Mosquitto.start(dir, file)) {
            assertThat(broker.publish("mqttv311", "alice", "secret")).isZero();
            assertThat(broker.publish("mqttv5", "alice", "secret")).isZero();
            assertThat(broker.publish("mqttv311", "legacy", "old-one")).isZero();
            // mosquitto_pub exits with the CONNACK code: mosquitto says "not authorized", 0x05 / 0x87.
            assertThat(broker.publish("mqttv311", "alice", "wrong")).isEqualTo(5);
            assertThat(broker.publish("mqttv311", "nobody", "secret")).isEqualTo(5);
            assertThat(broker.publish("mqttv5", "alice", "wrong")).isEqualTo(0x87);
        }
    }

    @Test
    void starlingUpgradedFile_isAcceptedByTheMosquittoBroker() throws Exception {
        assumeTrue(Files.isExecutable(MOSQUITTO) && Files.isExecutable(MOSQUITTO_PUB), "mosquitto is not installed");
        Path file = dir.resolve("passwd");
        Files.writeString(file, "alice:secret\nbob:hunter2\n");
        assertThat(passwd("-U", file.toString()).status()).isZero();

        try (Mosquitto broker = Mosquitto.start(dir, file)) {
            assertThat(broker.publish("mqttv311", "alice", "secret")).isZero();
            assertThat(broker.publish("mqttv311", "bob", "hunter2")).isZero();
            assertThat(broker.publish("mqttv311", "bob", "secret")).isEqualTo(5);
        }
    }

    @Test
    void mosquittoPasswd_editsAStarlingFile() throws Exception {
        assumeTrue(Files.isExecutable(MOSQUITTO_PASSWD), "mosquitto_passwd is not installed");
        Path file = dir.resolve("passwd");
        passwd("-b", "-c", file.toString(), "alice", "secret");
        passwd("-b", file.toString(), "bob", "hunter2");

        assertThat(run(MOSQUITTO_PASSWD.toString(), "-D", file.toString(), "alice")).isZero();
        assertThat(run(MOSQUITTO_PASSWD.toString(), "-b", file.toString(), "carol", "pw")).isZero();

        PasswordFile passwords = PasswordFile.read(file);
        assertThat(passwords.usernames()).containsExactly("bob", "carol");
        assertThat(passwords.verify("bob", "hunter2".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(passwords.verify("carol", "pw".getBytes(StandardCharsets.UTF_8))).isTrue();
    }

    @Test
    void starlingPasswd_editsAMosquittoFile() throws Exception {
        assumeTrue(Files.isExecutable(MOSQUITTO_PASSWD), "mosquitto_passwd is not installed");
        Path file = dir.resolve("passwd");
        assertThat(run(MOSQUITTO_PASSWD.toString(), "-b", "-c", file.toString(), "alice", "secret")).isZero();
        assertThat(run(MOSQUITTO_PASSWD.toString(), "-b", file.toString(), "bob", "hunter2")).isZero();

        assertThat(passwd("-D", file.toString(), "alice").status()).isZero();
        assertThat(passwd("-b", file.toString(), "bob", "changed").status()).isZero();

        PasswordFile passwords = PasswordFile.read(file);
        assertThat(passwords.usernames()).containsExactly("bob");
        assertThat(passwords.verify("bob", "changed".getBytes(StandardCharsets.UTF_8))).isTrue();
    }

    /** A mosquitto broker on a free local port, with a password file and no anonymous clients. */
    private static final class Mosquitto implements AutoCloseable {
        private final Process process;
        private final int port;

        private Mosquitto(Process process, int port) {
            this.process = process;
            this.port = port;
        }

        static Mosquitto start(Path dir, Path passwordFile) throws IOException, InterruptedException {
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            Path conf = dir.resolve("mosquitto.conf");
            // Run as root, mosquitto switches to this user before reading the password file;
            // as any other user it ignores the line. Our file is readable by its owner only.
            Files.writeString(conf, String.join("\n",
                    "user " + System.getProperty("user.name"),
                    "listener " + port + " 127.0.0.1",
                    "allow_anonymous false",
                    "password_file " + passwordFile,
                    ""));
            Process process = new ProcessBuilder(MOSQUITTO.toString(), "-c", conf.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("mosquitto.log").toFile())
                    .start();
            Mosquitto broker = new Mosquitto(process, port);
            broker.awaitListening(dir);
            return broker;
        }

        int publish(String version, String username, String password) throws IOException, InterruptedException {
            return run(MOSQUITTO_PUB.toString(), "-h", "127.0.0.1", "-p", Integer.toString(port), "-V", version,
                    "-u", username, "-P", password, "-t", "starling/test", "-m", "hello");
        }

        private void awaitListening(Path dir) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new AssertionError("mosquitto exited: " + Files.readString(dir.resolve("mosquitto.log")));
                }
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                    return;
                } catch (IOException notYet) {
                    Thread.sleep(50);
                }
            }
            throw new AssertionError("mosquitto did not listen on " + port);
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
        process.getOutputStream().close();
        process.getInputStream().readAllBytes();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", command));
        }
        return process.exitValue();
    }
}
