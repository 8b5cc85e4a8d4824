package io.starling.broker.server.console;

import static io.starling.broker.testkit.FreePorts.freePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.starling.broker.config.ConfigFile;
import io.starling.broker.core.auth.file.PasswordHash;
import io.starling.broker.server.Broker;
import io.starling.broker.testkit.MosquittoClients;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web console end to end: {@code node e2e/console.test.mjs} drives it in headless Chromium
 * (Debian's {@code chromium} through npm {@code playwright-core}) against this in-process broker, and
 * MQTT.js connects over WebSocket. Skipped only when node or chromium is not installed; the npm
 * packages must be (.ci/run runs {@code npm ci} in {@code e2e/}).
 */
@Timeout(180)
class ConsoleE2ETest {
    private static final Path E2E = Path.of("..", "e2e").toAbsolutePath().normalize();
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @TempDir
    Path dir;


    private static boolean nodeInstalled() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    void console_inHeadlessChromium_andMqttJsOverWebSocket() throws Exception {
        assumeTrue(nodeInstalled(), "node is not installed");
        assumeTrue(Files.isExecutable(CHROMIUM), "chromium is not installed");
        assumeTrue(MosquittoClients.installed(), "mosquitto_pub/mosquitto_sub not installed");
        assertThat(E2E.resolve("node_modules/playwright-core")).as("npm packages of e2e/: run 'npm ci' in " + E2E)
                .exists();
        assertThat(E2E.resolve("node_modules/mqtt")).exists();
        assertThat(E2E.resolve("node_modules/paho-mqtt")).exists();

        Path passwords = Files.writeString(dir.resolve("passwd"), "console:" + PasswordHash.hash7("secret") + "\n");
        int mqtt = freePort();
        int ws = freePort();
        int http = freePort();
        Path conf = Files.writeString(dir.resolve("starling.conf"), String.join("\n",
                "password_file " + passwords, "sys_interval 1",
                "listener " + mqtt + " 127.0.0.1",
                "listener " + ws + " 127.0.0.1", "protocol websockets",
                "listener " + http + " 127.0.0.1", "protocol http_api",
                // A bridge to itself, for the console's bridges section.
                "connection self", "address 127.0.0.1:" + mqtt, "remote_username console", "remote_password secret",
                "restart_timeout 1", "topic looped/# in 0 local/ \"\"", ""));
        try (Broker broker = Broker.start(ConfigFile.read(conf))) {
            ProcessBuilder pb = new ProcessBuilder("node", "--test-reporter=spec", "console.test.mjs")
                    .directory(E2E.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("e2e.log").toFile());
            Map<String, String> env = pb.environment();
            env.put("STARLING_HTTP", "http://127.0.0.1:" + http);
            env.put("STARLING_MQTT_PORT", Integer.toString(mqtt));
            env.put("STARLING_WS_PORT", Integer.toString(ws));
            env.put("STARLING_USER", "console");
            env.put("STARLING_PASSWORD", "secret");
            env.put("CHROMIUM", CHROMIUM.toString());
            Process node = pb.start();
            boolean ended = node.waitFor(150, TimeUnit.SECONDS);
            if (!ended) {
                node.destroyForcibly();
            }
            String output = Files.readString(dir.resolve("e2e.log"), StandardCharsets.UTF_8);
            System.out.println(output);
            assertThat(ended).as("node e2e/console.test.mjs ended in time; output:\n%s", output).isTrue();
            assertThat(node.exitValue()).as("node e2e/console.test.mjs; output:\n%s", output).isZero();
            assertThat(output).contains("pass 3", "fail 0");
        }
    }
}
