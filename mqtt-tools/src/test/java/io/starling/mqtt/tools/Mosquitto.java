package io.starling.mqtt.tools;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Debian's mosquitto 2.0 run as processes for side-by-side tests: the broker ({@code mosquitto -v} on a
 * free loopback port, its log read to know when a client's SUBACK went out) and the mosquitto_pub and
 * mosquitto_sub tools, with their output kept as bytes. Tests are skipped where mosquitto is not installed.
 */
final class Mosquitto implements AutoCloseable {
    static final Path BROKER = Path.of("/usr/sbin/mosquitto");
    static final Path PUB = Path.of("/usr/bin/mosquitto_pub");
    static final Path SUB = Path.of("/usr/bin/mosquitto_sub");

    private final Process process;
    private final int port;
    private final List<String> log = new ArrayList<>();
    /** Tools started against this broker: ended with it, so a failed test leaves no process behind. */
    private final List<Process> tools = new ArrayList<>();

    private Mosquitto(Process process, int port) {
        this.process = process;
        this.port = port;
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (log) {
                        log.add(line);
                        log.notifyAll();
                    }
                }
            } catch (IOException e) {
                // the broker ended
            }
        }, "mosquitto-log");
        reader.setDaemon(true);
        reader.start();
    }

    static boolean installed() {
        return Files.isExecutable(BROKER) && Files.isExecutable(PUB) && Files.isExecutable(SUB);
    }

    /** Starts a broker that lets anyone in; {@code extra} is appended to its configuration. */
    static Mosquitto start(Path dir, String extra) throws IOException, InterruptedException {
        int port = freePort();
        Path conf = dir.resolve("mosquitto-" + port + ".conf");
        // user root: started as root (CI), mosquitto would otherwise drop to its own user and could not
        // read the test's files; started as anyone else, the line changes nothing.
        Files.writeString(conf, "user root\nlistener " + port + " 127.0.0.1\nallow_anonymous true\n" + extra);
        Process p = new ProcessBuilder(BROKER.toString(), "-c", conf.toString(), "-v").start();
        Mosquitto broker = new Mosquitto(p, port);
        broker.awaitLog("running", Duration.ofSeconds(10));
        return broker;
    }

    /** Starts a broker that refuses anonymous clients, and has no password file: every CONNECT is refused. */
    static Mosquitto startClosed(Path dir) throws IOException, InterruptedException {
        int port = freePort();
        Path conf = dir.resolve("mosquitto-closed-" + port + ".conf");
        Files.writeString(conf, "user root\nlistener " + port + " 127.0.0.1\nallow_anonymous false\n");
        Process p = new ProcessBuilder(BROKER.toString(), "-c", conf.toString(), "-v").start();
        Mosquitto broker = new Mosquitto(p, port);
        broker.awaitLog("running", Duration.ofSeconds(10));
        return broker;
    }

    int port() {
        return port;
    }

    /** Waits for a log line containing {@code text}. */
    void awaitLog(String text, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        synchronized (log) {
            while (log.stream().noneMatch(line -> line.contains(text))) {
                long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
                if (left <= 0) {
                    throw new AssertionError("mosquitto did not log '" + text + "': " + log);
                }
                log.wait(left);
            }
        }
    }

    /** The broker's log so far, for failure messages. */
    String log() {
        synchronized (log) {
            return String.join("\n", log);
        }
    }

    /** Waits until the broker sent the SUBACK to client {@code id}. */
    void awaitSubscribed(String id) throws InterruptedException {
        awaitLog("Sending SUBACK to " + id, Duration.ofSeconds(10));
    }

    @Override
    public void close() throws InterruptedException {
        synchronized (tools) {
            tools.forEach(Process::destroyForcibly);
        }
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** What a mosquitto tool wrote and how it ended. */
    record Result(int status, byte[] out, String err) {
        String outText() {
            return new String(out, StandardCharsets.UTF_8);
        }
    }

    /** Runs mosquitto_pub with {@code -p PORT} and the arguments to its end. */
    Result pub(String... args) {
        return pubWithInput(new byte[0], args);
    }

    Result pubWithInput(byte[] stdin, String... args) {
        return tool(PUB, List.of("-p", Integer.toString(port)), stdin, args).awaitExit(Duration.ofSeconds(20));
    }

    /** Starts mosquitto_sub with {@code -p PORT} and the arguments. */
    Tool sub(String... args) {
        Tool tool = tool(SUB, List.of("-p", Integer.toString(port)), new byte[0], args);
        synchronized (tools) {
            tools.add(tool.process);
        }
        return tool;
    }

    static Tool tool(Path program, List<String> first, byte[] stdin, String... args) {
        List<String> command = new ArrayList<>();
        command.add(program.toString());
        command.addAll(first);
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(stdin);
            }
            return new Tool(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A running mosquitto tool, its output read on other threads so that it never blocks. */
    static final class Tool {
        private final Process process;
        private final CompletableFuture<byte[]> out;
        private final CompletableFuture<byte[]> err;

        Tool(Process process) {
            this.process = process;
            this.out = readAll(process.getInputStream());
            this.err = readAll(process.getErrorStream());
        }

        Result awaitExit(Duration timeout) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError("mosquitto tool did not end");
                }
                return new Result(process.exitValue(), out.get(5, TimeUnit.SECONDS),
                        new String(err.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8));
            } catch (Exception e) {
                process.destroyForcibly();
                throw new AssertionError(e);
            }
        }

        private static CompletableFuture<byte[]> readAll(InputStream stream) {
            CompletableFuture<byte[]> all = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try (stream) {
                    all.complete(stream.readAllBytes());
                } catch (IOException e) {
                    all.complete(new byte[0]);
                }
            }, "mosquitto-tool-output");
            reader.setDaemon(true);
            reader.start();
            return all;
        }
    }
}
