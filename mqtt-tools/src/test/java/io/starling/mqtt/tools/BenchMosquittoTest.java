package io.starling.mqtt.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code starling bench pub} and {@code bench sub} against Debian's mosquitto: with {@code -L} every
 * message arrives exactly once and in order, at each QoS. Counts only; nothing here is timed. Skipped
 * where mosquitto is not installed.
 */
@Timeout(60)
class BenchMosquittoTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path dir;
    private static Mosquitto broker;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Mosquitto.installed(), "mosquitto is not installed");
        // No queue limit: mosquitto drops messages beyond 1,000 queued for a client that lags behind.
        broker = Mosquitto.start(dir, "max_queued_messages 0\n");
    }

    @AfterAll
    static void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    private static String port() {
        return Integer.toString(broker.port());
    }

    @ParameterizedTest(name = "QoS {0}")
    @ValueSource(ints = {0, 1, 2})
    void threePublishersToAWildcardSubscriber_everyMessageArrivesOnceInOrder(int qos) throws Exception {
        String q = Integer.toString(qos);
        String root = "fanin" + qos;
        BenchRunResult.Running sub = new BenchRunResult.Running("sub", "-p", port(), "-q", q, "-t", root + "/#",
                "-L", "6000", "-d", "25", "--quiet");
        sub.awaitErr("subscribed 1/1", WAIT);

        // --inflight 16: mosquitto closes a connection with more than max_inflight_messages (20) QoS 2
        // messages awaiting PUBREL, whatever the protocol version.
        BenchRunResult pub = BenchRunResult.run("pub", "-p", port(), "-c", "3", "-q", q, "-t", root + "/%i",
                "-L", "2000", "--inflight", "16", "--quiet");
        BenchRunResult received = sub.awaitExit(WAIT);

        assertThat(pub.status()).as(pub.out() + pub.err()).isZero();
        assertThat(pub.number("sent")).isEqualTo(6000);
        assertThat(pub.number("acked")).isEqualTo(qos == 0 ? 0 : 6000);
        assertThat(received.status()).as(received.err()).isZero();
        assertThat(received.number("received")).isEqualTo(6000);
        assertThat(received.number("streams")).isEqualTo(3);
        assertThat(received.number("lost")).isZero();
        assertThat(received.number("duplicates")).isZero();
        assertThat(received.number("reordered")).isZero();
        assertThat(received.number("latency_count")).isEqualTo(6000);
        assertThat(received.out()).contains("latency µs: p50");
        assertThat(Double.parseDouble(pub.values().get("cpu_ms"))).as("the CPU the load itself used").isPositive();
        assertThat(Double.parseDouble(received.values().get("cpu_ms"))).isPositive();
    }

    @Test
    void onePublisherToManySubscribersOverMqtt5_eachGetsEveryMessage() throws Exception {
        BenchRunResult.Running sub = new BenchRunResult.Running("sub", "-p", port(), "-V", "mqttv5", "-c", "5",
                "-t", "fanout/1", "-L", "2500", "-d", "25", "--quiet");
        sub.awaitErr("subscribed 5/5", WAIT);

        BenchRunResult pub = BenchRunResult.run("pub", "-p", port(), "-V", "mqttv5", "-t", "fanout/%i", "-L", "500",
                "-s", "100", "--quiet");
        BenchRunResult received = sub.awaitExit(WAIT);

        assertThat(pub.number("sent")).isEqualTo(500);
        assertThat(received.number("received")).isEqualTo(2500);
        assertThat(received.number("streams")).isEqualTo(5);
        assertThat(received.number("lost") + received.number("duplicates") + received.number("reordered")).isZero();
    }

    @Test
    void shortPayloads_areCountedWithoutLatency() throws Exception {
        BenchRunResult.Running sub = new BenchRunResult.Running("sub", "-p", port(), "-t", "short/+", "-L", "100",
                "-d", "25", "--quiet");
        sub.awaitErr("subscribed 1/1", WAIT);
        BenchRunResult.run("pub", "-p", port(), "-t", "short/%c", "-s", "8", "-L", "100", "--quiet");
        BenchRunResult received = sub.awaitExit(WAIT);

        assertThat(received.number("received")).isEqualTo(100);
        assertThat(received.values()).doesNotContainKey("latency_p50_us");
        assertThat(received.number("streams")).isZero();
    }

    @Test
    void rateLimit_spreadsTheMessagesOverTime() {
        // 200 messages at 1,000/s over two publishers: about 0.2 s, never much less.
        BenchRunResult pub = BenchRunResult.run("pub", "-p", port(), "-c", "2", "-t", "rate/%i", "-R", "1000",
                "-L", "100", "--quiet");
        assertThat(pub.number("sent")).isEqualTo(200);
        assertThat(Double.parseDouble(pub.values().get("seconds"))).isGreaterThanOrEqualTo(0.19);
    }

    @Test
    void connHoldsTheConnections_forTheDuration() {
        BenchRunResult conn = BenchRunResult.run("conn", "-p", port(), "-c", "20", "-k", "600", "-d", "0.5", "--quiet");
        assertThat(conn.status()).as(conn.err()).isZero();
        assertThat(conn.number("connected")).isEqualTo(20);
        assertThat(conn.err()).contains("connected 20/20");
    }
}
