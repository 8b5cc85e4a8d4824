package io.starling.broker.server.security;

import static io.starling.broker.server.security.SecurityFixtures.user;
import static io.starling.broker.server.security.SecurityFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.testkit.ThisJava;
import io.starling.mqtt.codec.MqttVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged broker as users run it, {@code java -jar starling.jar -c mosquitto.conf}: SIGHUP
 * ({@code kill -HUP pid}) reloads the password and ACL files without dropping anyone, a broken file
 * is reported with its file and line and changes nothing, and a bad configuration stops the start
 * with a non-zero status and {@code Error: <file>:<line>: ...}.
 */
@Timeout(120)
class SigHupReloadIT {
    private static final String RELOADED = "Reloaded password and ACL files.";
    private static final String KEPT = "Keeping the previous password and ACL rules.";
    private static final Duration NOT_DELIVERED = Duration.ofMillis(300);

    @TempDir
    Path dir;
    private Path pwfile;
    private Path aclfile;
    private Path log;
    private Process broker;
    private int port;

    @BeforeEach
    void files() {
        pwfile = write(dir.resolve("pwfile"), user("u", "u-pass"), user("p", "p-pass"));
        aclfile = write(dir.resolve("aclfile"),
                "# the initial rules",
                "user u",
                "topic read a/#",
                "topic read b/#",
                "user p",
                "topic write a/#",
                "topic write b/#",
                "topic write c/#");
        log = dir.resolve("starling.log");
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (broker != null && broker.isAlive()) {
            broker.destroy();
            if (!broker.waitFor(10, TimeUnit.SECONDS)) {
                broker.destroyForcibly();
            }
        }
    }

    @Test
    void sighup_appliesTheNewAclToConnectedClients_keepsThem_andLogsTheReload() throws Exception {
        startBroker();
        try (Paho3 sub = Paho3.connect(port, "sub", "u", "u-pass");
             Paho3 pub = Paho3.connect(port, "pub", "p", "p-pass")) {
            sub.subscribe("#", 1);
            pub.publish("a/x", "before", 1, false);
            assertThat(sub.poll(Paho3.TIMEOUT)).isEqualTo(new Paho3.Msg("a/x", "before", false));

            write(aclfile,
                    "user u",
                    "topic read b/#",
                    "topic read c/#",
                    "user p",
                    "topic write a/#",
                    "topic write b/#",
                    "topic write c/#");
            sighup(1);
            awaitLog(RELOADED, 1);

            pub.publish("a/x", "after", 1, false);
            pub.publish("c/x", "newly readable", 1, false);
            assertThat(sub.poll(Paho3.TIMEOUT)).isEqualTo(new Paho3.Msg("c/x", "newly readable", false));
            assertThat(sub.poll(NOT_DELIVERED)).as("a/# is no longer readable").isNull();
            assertThat(sub.isConnected()).isTrue();
            assertThat(pub.isConnected()).isTrue();
        }

        assertThat(code("v", "v-pass")).isEqualTo(0x05);
        write(pwfile, user("u", "u-pass"), user("p", "p-pass"), user("v", "v-pass"));
        sighup(2);
        awaitLog(RELOADED, 2);
        assertThat(code("v", "v-pass")).as("a user added to the password file").isZero();
        assertThat(broker.isAlive()).isTrue();
    }

    @Test
    void sighup_appliesTheLoggingOptions_asMosquittoDoes() throws Exception {
        startBroker();
        assertThat(code("u", "u-pass")).isZero();
        awaitLog("New client connected from", 2);

        write(dir.resolve("mosquitto.conf"),
                "listener " + port + " 127.0.0.1",
                "allow_anonymous false",
                "password_file " + pwfile,
                "acl_file " + aclfile,
                "connection_messages false");
        sighup(1);
        awaitLog(RELOADED, 1);
        assertThat(code("u", "u-pass")).isZero();
        // The connection answered; had it been logged, its line would be written by now.
        assertThat(count(logText(), "New client connected from")).as("connection_messages false after the reload")
                .isEqualTo(2);
        assertThat(logText()).doesNotContain("effect at the next start");
    }

    @Test
    void sighup_withABrokenFile_logsItsFileAndLine_andTheBrokerKeepsWorkingWithTheOldRules() throws Exception {
        startBroker();
        write(aclfile,
                "user u",
                "topic read c/#",
                "topic sometimes c/#/x");
        sighup(1);
        awaitLog("Error: " + aclfile + ":3: Invalid topic", 1);
        awaitLog(KEPT, 1);
        assertThat(logText()).doesNotContain(RELOADED);
        assertOldRules();

        write(aclfile, "user u", "topic read #", "user p", "topic write #");
        Files.delete(pwfile);
        sighup(2);
        awaitLog("Error: Unable to open password file " + pwfile + ": no such file.", 1);
        awaitLog(KEPT, 2);
        assertOldRules();

        // Fixed: the next SIGHUP applies it.
        write(pwfile, user("u", "u-pass"), user("p", "p-pass"));
        sighup(3);
        awaitLog(RELOADED, 1);
        try (Paho3 sub = Paho3.connect(port, "sub-fixed", "u", "u-pass");
             Paho3 pub = Paho3.connect(port, "pub-fixed", "p", "p-pass")) {
            sub.subscribe("#", 1);
            pub.publish("c/x", "readable under the fixed rules", 1, false);
            assertThat(sub.poll(Paho3.TIMEOUT)).isEqualTo(new Paho3.Msg("c/x", "readable under the fixed rules", false));
        }
    }

    @Test
    void badConfigFile_exitsNonZero_printingFileAndLine() throws Exception {
        Path conf = write(dir.resolve("bad.conf"),
                "listener " + SecurityFixtures.freePort() + " 127.0.0.1",
                "allow_anonymous flase");
        Result r = runToEnd(conf);
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.output()).contains("Error: " + conf + ":2: ");
    }

    @Test
    void aclFileWithASyntaxError_stopsTheStart_nonZero_printingFileAndLine() throws Exception {
        write(aclfile, "user u", "topic read a/#", "topik read b/#");
        Path conf = write(dir.resolve("mosquitto.conf"),
                "listener " + SecurityFixtures.freePort() + " 127.0.0.1",
                "allow_anonymous false",
                "password_file " + pwfile,
                "acl_file " + aclfile);
        Result r = runToEnd(conf);
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.output()).contains("Error: " + aclfile + ":3: Invalid line in acl_file");
    }

    private void assertOldRules() throws Exception {
        assertThat(broker.isAlive()).isTrue();
        try (Paho3 sub = Paho3.connect(port, "sub-old", "u", "u-pass");
             Paho3 pub = Paho3.connect(port, "pub-old", "p", "p-pass")) {
            sub.subscribe("#", 1);
            pub.publish("c/x", "not readable by u", 1, false);
            pub.publish("a/x", "readable by u", 1, false);
            assertThat(sub.poll(Paho3.TIMEOUT)).isEqualTo(new Paho3.Msg("a/x", "readable by u", false));
            assertThat(sub.poll(NOT_DELIVERED)).isNull();
        }
        assertThat(code("p", "p-pass")).isZero();
    }

    private void startBroker() throws Exception {
        startBroker(List.of());
    }

    /** Starts the jar with {@code prefix} before the java command (as {@code nohup}). */
    private void startBroker(List<String> prefix) throws Exception {
        for (int attempt = 0; ; attempt++) {
            port = SecurityFixtures.freePort();
            Path conf = write(dir.resolve("mosquitto.conf"),
                    "listener " + port + " 127.0.0.1",
                    "allow_anonymous false",
                    "password_file " + pwfile,
                    "acl_file " + aclfile);
            Files.deleteIfExists(log);
            List<String> command = new ArrayList<>(prefix);
            command.addAll(ThisJava.command("-jar", jar(), "-c", conf.toString()));
            broker = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                awaitLog("Opening ipv4 listen socket on port " + port + ".", 1);
                // The SIGHUP handler is installed right after the listeners are bound; a CONNECT
                // answered means start-up is over.
                assertThat(code("u", "u-pass")).isZero();
                return;
            } catch (AssertionError e) {
                if (attempt < 2 && !broker.isAlive() && logText().contains("ddress already in use")) {
                    continue;
                }
                throw e;
            }
        }
    }

    @Test
    void startedUnderNohup_warnsThatSighupCannotReload() throws Exception {
        startBroker(List.of("nohup"));

        awaitLog("SIGHUP is ignored in this process (started with nohup?)", 1);
    }

    @Test
    void startedPlainly_givesNoSighupWarning() throws Exception {
        startBroker();

        assertThat(logText()).doesNotContain("SIGHUP is ignored");
    }

    private static String jar() {
        String jar = System.getProperty("starling.jar");
        assertThat(jar).as("system property starling.jar (set by failsafe)").isNotNull();
        assertThat(Path.of(jar)).exists();
        return jar;
    }

    private void sighup(int nth) throws Exception {
        Process kill = new ProcessBuilder("kill", "-HUP", String.valueOf(broker.pid())).redirectErrorStream(true).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).as("kill -HUP #%d", nth).isZero();
    }

    private int code(String username, String password) {
        return SecurityFixtures.connackCode(port, MqttVersion.MQTT_3_1_1, "c-" + username + System.nanoTime(),
                username, password);
    }

    private String logText() throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    /** Waits until {@code text} appears at least {@code times} times in the broker's log. */
    private void awaitLog(String text, int times) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (count(logText(), text) >= times) {
                return;
            }
            assertThat(broker.isAlive()).as("broker process is running; log:\n%s", logText()).isTrue();
            Thread.sleep(50);
        }
        throw new AssertionError("broker did not log '" + text + "' " + times + " time(s) in 30 s:\n" + logText());
    }

    private static int count(String haystack, String needle) {
        int n = 0;
        for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + needle.length())) {
            n++;
        }
        return n;
    }

    private record Result(int exitCode, String output) {
    }

    /** Runs {@code java -jar starling.jar -c conf}, which must end by itself within 30 s. */
    private Result runToEnd(Path conf) throws Exception {
        Path out = dir.resolve("run-" + System.nanoTime() + ".log");
        Process p = new ProcessBuilder(ThisJava.command("-jar", jar(), "-c", conf.toString()))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("starling did not exit within 30 s:\n" + Files.readString(out));
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }
}
