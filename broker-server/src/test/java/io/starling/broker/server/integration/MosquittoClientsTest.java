package io.starling.broker.server.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.starling.broker.testkit.MosquittoClients;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Drop-in compatibility with mosquitto's own command-line clients, run as processes: what scripts
 * in the field do with {@code mosquitto_pub} and {@code mosquitto_sub} works against Starling.
 */
@Timeout(30)
class MosquittoClientsTest {
    @RegisterExtension
    static final RunningBroker broker = new RunningBroker();

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @BeforeAll
    static void requireMosquittoClients() {
        assumeTrue(MosquittoClients.installed(), "mosquitto_pub/mosquitto_sub not installed");
    }

    private static void pub(String... args) {
        MosquittoClients.Result r = MosquittoClients.pub(broker.port(), TIMEOUT, args);
        assertThat(r.exitCode()).as("mosquitto_pub exit code; stderr: %s", r.stderr()).isZero();
    }

    @ParameterizedTest(name = "QoS {0}")
    @ValueSource(ints = {0, 1, 2})
    void mosquittoSub_receivesWhatMosquittoPubSends(int qos) {
        String q = Integer.toString(qos);
        try (MosquittoClients.Sub sub = MosquittoClients.sub(broker.port(),
                "-t", "tools/q" + q + "/#", "-q", q, "-C", "2", "-v", "-W", "10")) {
            sub.awaitSubscribed(TIMEOUT);

            pub("-t", "tools/q" + q + "/a", "-m", "first message", "-q", q);
            pub("-t", "tools/q" + q + "/b/c", "-m", "second", "-q", q);

            MosquittoClients.Result r = sub.awaitExit(TIMEOUT);
            assertThat(r.exitCode()).as("mosquitto_sub exit code; stderr: %s", r.stderr()).isZero();
            assertThat(r.stdout()).containsExactly("tools/q" + q + "/a first message", "tools/q" + q + "/b/c second");
        }
    }

    @Test
    void retainedMessageFromMosquittoPub_isReceivedByALaterMosquittoSub() {
        pub("-t", "tools/retained", "-m", "kept", "-r", "-q", "1");

        try (MosquittoClients.Sub sub = MosquittoClients.sub(broker.port(),
                "-t", "tools/retained", "-C", "1", "-v", "-W", "10")) {
            MosquittoClients.Result r = sub.awaitExit(TIMEOUT);

            assertThat(r.exitCode()).as("stderr: %s", r.stderr()).isZero();
            assertThat(r.stdout()).containsExactly("tools/retained kept");
        }
    }

    @Test
    void retainedMessageClearedByMosquittoPubNullMessage_isNotReceived() {
        pub("-t", "tools/cleared", "-m", "soon gone", "-r");
        pub("-t", "tools/cleared", "-n", "-r");

        try (MosquittoClients.Sub sub = MosquittoClients.sub(broker.port(),
                "-t", "tools/cleared", "-C", "1", "-v", "-W", "1")) {
            MosquittoClients.Result r = sub.awaitExit(TIMEOUT);

            assertThat(r.stdout()).isEmpty(); // it timed out with nothing received
        }
    }

    @Test
    void mosquittoSubPersistentSession_receivesMessagesPublishedWhileOffline() {
        try (MosquittoClients.Sub first = MosquittoClients.sub(broker.port(),
                "-c", "-i", "tools-persistent", "-q", "1", "-t", "tools/persistent", "-E")) {
            assertThat(first.awaitExit(TIMEOUT).exitCode()).isZero(); // subscribed, then gone
        }

        pub("-t", "tools/persistent", "-m", "while offline", "-q", "1");

        try (MosquittoClients.Sub again = MosquittoClients.sub(broker.port(),
                "-c", "-i", "tools-persistent", "-q", "1", "-t", "tools/persistent", "-C", "1", "-v", "-W", "10")) {
            MosquittoClients.Result r = again.awaitExit(TIMEOUT);

            assertThat(r.exitCode()).as("stderr: %s", r.stderr()).isZero();
            assertThat(r.stdout()).containsExactly("tools/persistent while offline");
        }
    }
}
