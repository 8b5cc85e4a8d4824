package io.starling.mqtt.tools;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** One run of {@code starling pub} or {@code starling sub} in this JVM, with given input and captured output. */
record ClientRun(int status, byte[] out, String err) {

    String outText() {
        return new String(out, StandardCharsets.UTF_8);
    }

    static ClientRun pub(String... args) {
        return pubWithInput(new byte[0], args);
    }

    static ClientRun pubWithInput(byte[] stdin, String... args) {
        Streams s = new Streams();
        int status = new PubCommand(new ByteArrayInputStream(stdin), s.outStream, s.errStream, 4242)
                .run(List.of(args));
        return s.result(status);
    }

    /** Runs {@code starling sub} to its end (for runs that end by themselves: bad arguments, -E, -W). */
    static ClientRun sub(String... args) {
        return startSub(args).awaitExit(Duration.ofSeconds(20));
    }

    static RunningSub startSub(String... args) {
        return startSub(Clock.systemDefaultZone(), args);
    }

    static RunningSub startSub(Clock clock, String... args) {
        return new RunningSub(clock, args);
    }

    /** A {@code starling sub} running on its own thread. */
    static final class RunningSub {
        private final Streams streams = new Streams();
        private final CountDownLatch subscribed = new CountDownLatch(1);
        private final CompletableFuture<Integer> status = new CompletableFuture<>();

        RunningSub(Clock clock, String... args) {
            SubCommand command = new SubCommand(streams.outStream, streams.errStream, clock, 4242)
                    .onSubscribed(subscribed::countDown);
            Thread thread = new Thread(() -> {
                try {
                    status.complete(command.run(List.of(args)));
                } catch (Throwable t) {
                    status.completeExceptionally(t);
                }
            }, "starling-sub-under-test");
            thread.setDaemon(true);
            thread.start();
        }

        void awaitSubscribed(Duration timeout) {
            try {
                if (!subscribed.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new AssertionError("starling sub not subscribed; stderr: " + streams.err());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        ClientRun awaitExit(Duration timeout) {
            try {
                return streams.result(status.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
            } catch (Exception e) {
                throw new AssertionError("starling sub did not end: " + e + "; out: "
                        + new String(streams.out.toByteArray(), StandardCharsets.UTF_8) + " err: " + streams.err(), e);
            }
        }
    }

    private static final class Streams {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
        final PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);

        String err() {
            synchronized (errStream) {
                return err.toString(StandardCharsets.UTF_8);
            }
        }

        ClientRun result(int status) {
            synchronized (outStream) {
                return new ClientRun(status, out.toByteArray(), err());
            }
        }
    }
}
