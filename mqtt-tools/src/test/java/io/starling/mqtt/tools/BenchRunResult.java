package io.starling.mqtt.tools;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** {@code starling bench} run in this JVM with captured output; {@link #values()} reads its result line. */
record BenchRunResult(int status, String out, String err) {

    static BenchRunResult run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = BenchCommand.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new BenchRunResult(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The key=value pairs of the last "result" line. */
    Map<String, String> values() {
        Map<String, String> values = new HashMap<>();
        String[] lines = out.split("\n");
        for (String line : lines) {
            if (line.startsWith("result ")) {
                values.clear();
                for (String pair : line.substring(7).split(" ")) {
                    int eq = pair.indexOf('=');
                    values.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
        }
        return values;
    }

    long number(String key) {
        String value = values().get(key);
        if (value == null) {
            throw new AssertionError("no " + key + " in:\n" + out + "\n" + err);
        }
        return (long) Double.parseDouble(value);
    }

    /** A {@code bench} running on its own thread. */
    static final class Running {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();
        private final CompletableFuture<Integer> status = new CompletableFuture<>();

        Running(String... args) {
            Thread t = new Thread(() -> status.complete(BenchCommand.run(List.of(args),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))),
                    "bench-" + args[0]);
            t.setDaemon(true);
            t.start();
        }

        /** Waits for {@code text} on standard error ("subscribed 1/1"). */
        void awaitErr(String text, Duration timeout) throws InterruptedException {
            long end = System.nanoTime() + timeout.toNanos();
            while (!err.toString(StandardCharsets.UTF_8).contains(text)) {
                if (System.nanoTime() > end || status.isDone()) {
                    throw new AssertionError("no '" + text + "' from bench: " + err.toString(StandardCharsets.UTF_8)
                            + out.toString(StandardCharsets.UTF_8));
                }
                Thread.sleep(10);
            }
        }

        BenchRunResult awaitExit(Duration timeout) throws Exception {
            int code = status.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new BenchRunResult(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
    }
}
