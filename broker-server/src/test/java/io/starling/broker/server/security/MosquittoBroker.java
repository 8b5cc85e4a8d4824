package io.starling.broker.server.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The real mosquitto ({@code /usr/sbin/mosquitto -c conf}) as a process on a free loopback port, its
 * log in a file. Skipped by the tests (JUnit assumptions) when the binary is missing.
 */
public final class MosquittoBroker implements AutoCloseable {
    public static final Path BINARY = Path.of("/usr/sbin/mosquitto");

    private final Process process;
    private final int port;
    private final Path log;

    private MosquittoBroker(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    public static boolean installed() {
        return Files.isExecutable(BINARY);
    }

    /**
     * Starts mosquitto with a conf of {@code listener <port> 127.0.0.1}, the given lines and, as root,
     * {@code user root}; retries on another port when the one chosen was taken meanwhile.
     */
    public static MosquittoBroker start(Path dir, String name, String... lines) throws IOException, InterruptedException {
        AssertionError last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = SecurityFixtures.freePort();
            Path conf = SecurityFixtures.conf(dir.resolve(name + ".conf"), port, lines);
            Path log = dir.resolve(name + ".log");
            Process p = new ProcessBuilder(BINARY.toString(), "-c", conf.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            MosquittoBroker broker = new MosquittoBroker(p, port, log);
            try {
                broker.awaitLog(" running", 10);
                return broker;
            } catch (AssertionError e) {
                broker.close();
                last = e;
                if (!broker.log().contains("Address already in use")) {
                    throw e;
                }
            }
        }
        throw last;
    }

    /** Starts mosquitto again on a port it had before (a restart), its log appended to the same file. */
    public static MosquittoBroker startOn(Path dir, String name, int port, String... lines)
            throws IOException, InterruptedException {
        Path conf = SecurityFixtures.conf(dir.resolve(name + ".conf"), port, lines);
        Path log = dir.resolve(name + "-" + System.nanoTime() + ".log");
        Process p = new ProcessBuilder(BINARY.toString(), "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        MosquittoBroker broker = new MosquittoBroker(p, port, log);
        broker.awaitLog(" running", 10);
        return broker;
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the log contains {@code text}; fails when mosquitto exits or the time is up. */
    public void awaitLog(String text, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (log().contains(text)) {
                return;
            }
            if (!process.isAlive()) {
                throw new AssertionError("mosquitto exited (" + process.exitValue() + "); log:\n" + log());
            }
            Thread.sleep(20);
        }
        throw new AssertionError("mosquitto did not log '" + text + "' within " + seconds + " s; log:\n" + log());
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
