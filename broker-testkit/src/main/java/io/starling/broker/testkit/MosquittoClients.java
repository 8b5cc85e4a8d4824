package io.starling.broker.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Mosquitto's own command-line clients ({@code mosquitto_pub}, {@code mosquitto_sub}) run as
 * processes against a broker on the loopback address: the drop-in test, since scripts in the field
 * use exactly these. Every wait has a timeout and a process still running at the end is killed.
 *
 * <p>{@code mosquitto_sub} runs with {@code -d}, whose debug lines tell when the SUBACK arrived
 * ({@link Sub#awaitSubscribed}), so a test publishes only once the subscription exists. Lines that
 * are not debug lines are the messages themselves (with {@code -v}: "topic payload"). It runs under
 * {@code stdbuf -oL}, as its output is otherwise held in a buffer until it exits.
 */
public final class MosquittoClients {
    public static final Path MOSQUITTO_PUB = Path.of("/usr/bin/mosquitto_pub");
    public static final Path MOSQUITTO_SUB = Path.of("/usr/bin/mosquitto_sub");
    /** coreutils' stdbuf: mosquitto_sub's debug lines go through stdio, fully buffered on a pipe. */
    private static final Path STDBUF = Path.of("/usr/bin/stdbuf");

    private MosquittoClients() {
    }

    /** Whether both tools are installed (tests assume it, and are skipped otherwise). */
    public static boolean installed() {
        return Files.isExecutable(MOSQUITTO_PUB) && Files.isExecutable(MOSQUITTO_SUB);
    }

    /** What a finished process wrote and how it ended. */
    public record Result(int exitCode, List<String> stdout, String stderr) {
    }

    /**
     * Runs {@code mosquitto_pub -h 127.0.0.1 -p PORT ARGS...} to its end.
     *
     * @throws AssertionError when it does not end within the timeout (it is then killed)
     */
    public static Result pub(int port, Duration timeout, String... args) {
        Process p = start(MOSQUITTO_PUB, port, args);
        OutputReader stdout = new OutputReader(p.getInputStream(), "mosquitto_pub-stdout");
        OutputReader stderr = new OutputReader(p.getErrorStream(), "mosquitto_pub-stderr");
        int code = waitFor(p, timeout, "mosquitto_pub " + String.join(" ", args));
        return new Result(code, stdout.awaitAll(), String.join("\n", stderr.awaitAll()));
    }

    /** Starts {@code mosquitto_sub -d -h 127.0.0.1 -p PORT ARGS...}. */
    public static Sub sub(int port, String... args) {
        List<String> all = new ArrayList<>();
        all.add("-d");
        all.addAll(Arrays.asList(args));
        return new Sub(start(MOSQUITTO_SUB, port, all.toArray(String[]::new)), String.join(" ", args));
    }

    /** A running {@code mosquitto_sub}. */
    public static final class Sub implements AutoCloseable {
        private final Process process;
        private final String description;
        private final OutputReader stdout;
        private final OutputReader stderr;

        private Sub(Process process, String description) {
            this.process = process;
            this.description = "mosquitto_sub " + description;
            this.stdout = new OutputReader(process.getInputStream(), "mosquitto_sub-stdout");
            this.stderr = new OutputReader(process.getErrorStream(), "mosquitto_sub-stderr");
        }

        /** Waits for the "Subscribed (mid: ...)" debug line that follows the SUBACK. */
        public void awaitSubscribed(Duration timeout) {
            if (!stdout.awaitLine(line -> line.startsWith("Subscribed (mid:"), timeout)) {
                throw new AssertionError(description + " not subscribed within " + timeout.toMillis() + " ms; output: "
                        + stdout.linesSoFar() + " " + stderr.linesSoFar());
            }
        }

        /** Waits for the process to end (killing it on timeout) and returns its messages, not its debug lines. */
        public Result awaitExit(Duration timeout) {
            return result(waitFor(process, timeout, description));
        }

        /**
         * Lets the subscriber run for {@code time}, then kills it (SIGKILL) and returns the messages it
         * printed. For subscribers that would otherwise end with {@code -W}: mosquitto_sub 2.0 answers
         * SIGALRM (and SIGTERM) by calling {@code mosquitto_disconnect_v5} inside the signal handler, which
         * takes the client's packet mutex; when the signal lands while its own thread holds that mutex
         * (queueing a PUBREC or PUBCOMP under QoS 1/2 traffic) it waits on itself forever. Seen against
         * Debian's mosquitto as against Starling; SIGKILL has no handler. Output is line-buffered.
         */
        public Result runFor(Duration time) throws InterruptedException {
            if (!process.waitFor(time.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
            }
            return result(process.exitValue());
        }

        private Result result(int code) {
            List<String> messages = new ArrayList<>();
            for (String line : stdout.awaitAll()) {
                if (!isDebugLine(line)) {
                    messages.add(line);
                }
            }
            return new Result(code, messages, String.join("\n", stderr.awaitAll()));
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    static boolean isDebugLine(String line) {
        return line.startsWith("Client ") || line.startsWith("Subscribed (mid:");
    }

    private static Process start(Path tool, int port, String... args) {
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(STDBUF)) {
            command.add(STDBUF.toString());
            command.add("-oL");
        }
        command.add(tool.toString());
        command.add("-h");
        command.add("127.0.0.1");
        command.add("-p");
        command.add(Integer.toString(port));
        command.addAll(Arrays.asList(args));
        try {
            return new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    private static int waitFor(Process p, Duration timeout, String description) {
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(description + " did not end within " + timeout.toMillis() + " ms");
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + description, e);
        }
    }

    /** Reads a process stream line by line on its own thread, so the process never blocks on a full pipe. */
    private static final class OutputReader {
        private static final String END = new String("<end>");
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final List<String> seen = new ArrayList<>();
        private final Thread thread;

        OutputReader(InputStream stream, String name) {
            thread = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // the process is gone
                } finally {
                    lines.add(END);
                }
            }, name);
            thread.setDaemon(true);
            thread.start();
        }

        /** Consumes lines until one matches; false on timeout or end of output. */
        boolean awaitLine(java.util.function.Predicate<String> wanted, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            try {
                while (true) {
                    String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    if (line == null || line == END) {
                        if (line == END) {
                            lines.add(END);
                        }
                        return false;
                    }
                    seen.add(line);
                    if (wanted.test(line)) {
                        return true;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        List<String> linesSoFar() {
            List<String> all = new ArrayList<>(seen);
            lines.forEach(l -> {
                if (l != END) {
                    all.add(l);
                }
            });
            return all;
        }

        /** Every line, once the stream has ended (the process has exited, so that is soon). */
        List<String> awaitAll() {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return linesSoFar();
        }
    }
}
