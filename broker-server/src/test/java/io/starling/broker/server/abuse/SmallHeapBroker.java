package io.starling.broker.server.abuse;

import static io.starling.broker.testkit.FreePorts.freePort;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.testkit.ThisJava;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * The packaged broker in its own JVM with a small heap and direct memory (128 MiB each) that exits on
 * the first OutOfMemoryError, as {@code bin/starling} does: an attack that makes memory grow ends it.
 * A probe client (Eclipse Paho) checks that other clients are still served.
 */
final class SmallHeapBroker implements AutoCloseable {
    final int port;
    final int webSocketPort;
    private final Path log;
    private final Process process;

    SmallHeapBroker(Path dir) throws Exception {
        port = freePort();
        webSocketPort = freePort();
        Path conf = dir.resolve("mosquitto.conf");
        log = dir.resolve("broker.log");
        Files.writeString(conf, "listener " + port + " 127.0.0.1\nallow_anonymous true\n"
                + "listener " + webSocketPort + " 127.0.0.1\nprotocol websockets\n");
        process = new ProcessBuilder(ThisJava.command("-Xmx128m", "-XX:MaxDirectMemorySize=128m", "-XX:+ExitOnOutOfMemoryError",
                "-jar", System.getProperty("starling.jar"), "-c", conf.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!logText().contains("websockets listen socket on port " + webSocketPort)) {
            assertThat(process.isAlive()).as("broker is running; log:\n%s", logText()).isTrue();
            assertThat(System.nanoTime()).as("broker started within 60 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /**
     * Asserts the broker is still up, logged no OutOfMemoryError, and answers a probe's QoS 1 round trip
     * (subscribe, publish, receive) within {@code seconds}.
     */
    void assertServesOthersWithin(int seconds) throws Exception {
        assertThat(process.isAlive()).as("broker still running; log tail:\n%s", tail()).isTrue();
        assertThat(logText()).as("no memory exhaustion").doesNotContain("OutOfMemoryError")
                .doesNotContain("OutOfDirectMemoryError");
        long start = System.nanoTime();
        MqttClient probe = new MqttClient("tcp://127.0.0.1:" + port, "probe-" + System.nanoTime(), new MemoryPersistence());
        try {
            MqttConnectOptions options = new MqttConnectOptions();
            options.setConnectionTimeout(seconds);
            options.setCleanSession(true);
            probe.setTimeToWait(seconds * 1000L);
            probe.connect(options);
            java.util.concurrent.CountDownLatch got = new java.util.concurrent.CountDownLatch(1);
            probe.subscribe("probe/rtt", 1, (topic, message) -> got.countDown());
            probe.publish("probe/rtt", "x".getBytes(StandardCharsets.UTF_8), 1, false);
            assertThat(got.await(seconds, TimeUnit.SECONDS)).as("probe message came back").isTrue();
            probe.disconnect();
        } finally {
            probe.close();
        }
        assertThat((System.nanoTime() - start) / 1_000_000).as("probe round trip, ms").isLessThan(seconds * 1000L);
    }

    /** The broker's resident memory in MiB (VmRSS). */
    long rssMiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return -1;
    }

    String logText() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    private String tail() throws IOException {
        String text = logText();
        return text.substring(Math.max(0, text.length() - 4000));
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

}
