package io.starling.broker.server.tools;

import io.starling.mqtt.tools.PubCommand;
import io.starling.mqtt.tools.SubCommand;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code starling pub} and {@code starling sub} run in this JVM with captured output, as the CLI runs them. */
record StarlingRun(int status, String out, String err) {

    static StarlingRun pub(byte[] stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new PubCommand(new ByteArrayInputStream(stdin), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(List.of(args));
        return new StarlingRun(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A {@code starling sub} running on its own thread. */
    static final class Sub {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();
        private final CountDownLatch subscribed = new CountDownLatch(1);
        private final CompletableFuture<Integer> status = new CompletableFuture<>();

        Sub(String... args) {
            SubCommand command = new SubCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8)).onSubscribed(subscribed::countDown);
            Thread t = new Thread(() -> status.complete(command.run(List.of(args))), "starling-sub");
            t.setDaemon(true);
            t.start();
        }

        void awaitSubscribed(Duration timeout) throws InterruptedException {
            if (!subscribed.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("starling sub not subscribed: " + err.toString(StandardCharsets.UTF_8));
            }
        }

        StarlingRun awaitExit(Duration timeout) throws Exception {
            int code = status.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new StarlingRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
    }
}
