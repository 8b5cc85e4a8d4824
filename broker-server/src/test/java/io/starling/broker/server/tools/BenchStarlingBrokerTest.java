package io.starling.broker.server.tools;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.config.ConfigFile;
import io.starling.broker.server.Broker;
import io.starling.mqtt.tools.BenchCommand;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code starling bench pub} and {@code bench sub} through the Starling broker, in-process: every message
 * arrives exactly once and in order. Counts only; nothing here is timed.
 */
@Timeout(60)
class BenchStarlingBrokerTest {
    @TempDir
    static Path dir;
    private static Broker broker;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path conf = dir.resolve("starling.conf");
        Files.writeString(conf, "listener " + port + " 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\n");
        broker = Broker.start(ConfigFile.read(conf));
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @ParameterizedTest(name = "QoS {0}")
    @ValueSource(ints = {0, 1, 2})
    void fourPublishersToAWildcardSubscriber_everyMessageArrivesOnceInOrder(int qos) throws Exception {
        String p = Integer.toString(port);
        String q = Integer.toString(qos);
        ByteArrayOutputStream subOut = new ByteArrayOutputStream();
        ByteArrayOutputStream subErr = new ByteArrayOutputStream();
        CompletableFuture<Integer> sub = CompletableFuture.supplyAsync(() -> BenchCommand.run(
                List.of("sub", "-p", p, "-q", q, "-t", "starling" + qos + "/#", "-L", "4000", "-d", "25", "--quiet"),
                new PrintStream(subOut, true, StandardCharsets.UTF_8), new PrintStream(subErr, true, StandardCharsets.UTF_8)));
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!subErr.toString(StandardCharsets.UTF_8).contains("subscribed 1/1")) {
            assertThat(System.nanoTime()).as(subErr.toString(StandardCharsets.UTF_8)).isLessThan(end);
            Thread.sleep(10);
        }

        String pub = run("pub", "-p", p, "-c", "4", "-q", q, "-t", "starling" + qos + "/%i", "-L", "1000", "--quiet");
        int subStatus = sub.get(30, TimeUnit.SECONDS);
        String received = subOut.toString(StandardCharsets.UTF_8);

        assertThat(pub).contains(" sent=4000 ", " errors=0");
        assertThat(subStatus).as(received + subErr).isZero();
        assertThat(received).contains(" received=4000 ", " streams=4 ", " lost=0 ", " duplicates=0 ", " reordered=0 ",
                " latency_count=4000 ");
    }

    /** bench/compare's burst scenario: warm clients, held through a burst, timed only from the moment after it. */
    @org.junit.jupiter.api.Test
    void heldPublisher_sendsNothingWhileHeld_doesNotCatchUp_andTheWindowTimesOnlyWhatFollows() throws Exception {
        String p = Integer.toString(port);
        Path hold = dir.resolve("hold");
        Path window = dir.resolve("window");
        ByteArrayOutputStream subOut = new ByteArrayOutputStream();
        ByteArrayOutputStream subErr = new ByteArrayOutputStream();
        // Two runs at once, each on its own thread: the common pool may have a single worker (2 CPUs, JDK 25).
        java.util.concurrent.ExecutorService runs = java.util.concurrent.Executors.newFixedThreadPool(2);
        CompletableFuture<Integer> sub = CompletableFuture.supplyAsync(() -> BenchCommand.run(
                List.of("sub", "-p", p, "-t", "held/#", "--window", window.toString(), "--idle-exit", "6", "-d", "40", "--quiet"),
                new PrintStream(subOut, true, StandardCharsets.UTF_8), new PrintStream(subErr, true, StandardCharsets.UTF_8)), runs);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!subErr.toString(StandardCharsets.UTF_8).contains("subscribed 1/1")) {
            assertThat(System.nanoTime()).as(subErr.toString(StandardCharsets.UTF_8)).isLessThan(end);
            Thread.sleep(10);
        }
        CompletableFuture<String> pub = CompletableFuture.supplyAsync(() -> {
            try {
                return run("pub", "-p", p, "-t", "held/%i", "-R", "1000", "-d", "6", "--hold", hold.toString(), "--quiet");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, runs);
        Thread.sleep(1_500); // sending: these are stamped before the window
        Files.writeString(hold, "");
        Thread.sleep(2_000); // held (shorter than the subscriber's idle exit): about 2,000 messages not sent, nor caught up later
        Files.writeString(window, Long.toString(System.currentTimeMillis()));
        Files.delete(hold);

        String sent = pub.get(30, TimeUnit.SECONDS);
        int subStatus = sub.get(30, TimeUnit.SECONDS);
        runs.shutdown();
        String received = subOut.toString(StandardCharsets.UTF_8);

        long sentCount = Long.parseLong(sent.replaceAll("(?s).* sent=(\\d+) .*", "$1"));
        long timed = Long.parseLong(received.replaceAll("(?s).* latency_count=(\\d+) .*", "$1"));
        assertThat(subStatus).as(received + subErr).isZero();
        assertThat(received).contains(" received=" + sentCount + " ", " lost=0 ", " duplicates=0 ");
        assertThat(sentCount).as(sent).isLessThan(5_000); // about 4,000; 6,000 had it caught up
        assertThat(timed).as(received).isPositive().isLessThan(sentCount);
    }

    private static String run(String... args) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = BenchCommand.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(status).as(out + "\n" + err).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }
}
