package io.starling.broker.server.persistence;

import static io.starling.broker.testkit.FreePorts.freePort;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.testkit.ThisJava;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The packaged broker as a separate JVM, so that a test can kill it with SIGKILL mid-stream. */
final class BrokerProcess implements AutoCloseable {
    private final Path conf;
    private final Path log;
    final int port;
    private Process process;

    /** A broker with {@code persistence true} storing in {@code dir}. */
    BrokerProcess(Path dir) throws IOException {
        this(dir, "");
    }

    /** The same, with more config lines (such as {@code log_type all}). */
    BrokerProcess(Path dir, String extraConfig) throws IOException {
        this.port = freePort();
        this.conf = dir.resolve("mosquitto.conf");
        this.log = dir.resolve("broker.log");
        Files.writeString(conf, "listener " + port + " 127.0.0.1\nallow_anonymous true\n"
                + "persistence true\npersistence_location " + dir.resolve("data") + "\n"
                + "max_queued_messages 0\n" + extraConfig);
    }

    void start() throws Exception {
        Files.deleteIfExists(log);
        process = new ProcessBuilder(ThisJava.command("-jar", System.getProperty("starling.jar"), "-c", conf.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains("listen socket on port " + port)) {
                return;
            }
            assertThat(process.isAlive()).as("broker is running; log:\n%s", logText()).isTrue();
            Thread.sleep(50);
        }
        throw new AssertionError("broker did not start in 60 s:\n" + logText());
    }

    /** SIGKILL: no shutdown hook, no flush, no goodbye. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    String url() {
        return "tcp://127.0.0.1:" + port;
    }

    String logText() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

}
