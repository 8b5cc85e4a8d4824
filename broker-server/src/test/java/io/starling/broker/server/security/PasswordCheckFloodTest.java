package io.starling.broker.server.security;

import static io.starling.broker.server.security.SecurityFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.auth.file.PasswordHash;
import io.starling.broker.server.Broker;
import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.ReasonCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A flood of CONNECTs with wrong passwords against an argon2id password file (mosquitto 2.1's
 * default hash, ~100 ms and ~46 MiB per check) must not keep a valid user out: the checks wait in a
 * bounded queue, what does not fit is refused "server unavailable" at once, and a connection that
 * closed while its check waited costs no hash. Default settings, raw sockets, a real broker.
 */
@Timeout(120)
class PasswordCheckFloodTest {
    /** Far more junk than the queue holds (16 by default), so that on a broker without a bound they queue for seconds. */
    private static final int FLOOD = 300;
    /** How long a valid user may take to get in, retrying on "server unavailable" as clients do. */
    private static final Duration LOGIN_BOUND = Duration.ofSeconds(15);

    @TempDir
    Path dir;
    private Broker broker;
    private final List<RawMqttClient> junk = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        Path pwfile = write(dir.resolve("pwfile"),
                "good:" + PasswordHash.argon2id("good-pass".getBytes(StandardCharsets.UTF_8)).encode());
        broker = SecurityFixtures.startStarling(dir, "allow_anonymous false", "password_file " + pwfile);
    }

    @AfterEach
    void stop() {
        junk.forEach(RawMqttClient::close);
        if (broker != null) {
            broker.close();
        }
    }

    private static Connect connect(String clientId, String password) {
        return new Connect(MqttVersion.MQTT_3_1_1, clientId, true, 30, "good",
                password.getBytes(StandardCharsets.UTF_8), null, Properties.EMPTY);
    }

    /** Sends FLOOD CONNECTs with a wrong password, without waiting for their answers. */
    private void flood(boolean closeEach) {
        for (int i = 0; i < FLOOD; i++) {
            RawMqttClient c = RawMqttClient.open(broker.port());
            c.send(connect("junk-" + i, "wrong-" + i));
            if (closeEach) {
                c.close();
            } else {
                junk.add(c);
            }
        }
    }

    /** Logs in with the right password, again after each "server unavailable"; returns how long it took. */
    private Duration validLogin() throws InterruptedException {
        long start = System.nanoTime();
        while (true) {
            try (RawMqttClient c = RawMqttClient.open(broker.port())) {
                c.send(connect("valid", "good-pass"));
                ConnAck ack = c.receive(ConnAck.class, LOGIN_BOUND);
                if (ack.reasonCode() == ReasonCode.V3_ACCEPTED) {
                    return Duration.ofNanos(System.nanoTime() - start);
                }
                assertThat(ack.reasonCode()).as("refused other than as busy").isEqualTo(ReasonCode.V3_SERVER_UNAVAILABLE);
            }
            Thread.sleep(200);
        }
    }

    @Test
    void floodOfWrongPasswords_validLoginStillGetsInWithinBound() throws Exception {
        flood(false);

        Duration took = validLogin();

        assertThat(took).as("time to log in behind %d junk CONNECTs", FLOOD).isLessThan(LOGIN_BOUND);
        assertThat(broker.core().passwordChecks().refused()).as("junk refused as busy").isPositive();
    }

    @Test
    void floodOfWrongPasswords_beyondTheQueueIsAnsweredServerUnavailableAtOnce() {
        flood(false);

        long busy = 0;
        for (RawMqttClient c : junk) {
            var answer = c.poll(Duration.ofMillis(50));
            if (answer.isPresent() && ((ConnAck) answer.get()).reasonCode() == ReasonCode.V3_SERVER_UNAVAILABLE) {
                busy++;
            }
        }
        assertThat(busy).as("junk CONNECTs answered rc 3 at once").isGreaterThanOrEqualTo(FLOOD / 2);
    }

    @Test
    void junkThatClosesRightAfterConnect_costsNoHash() throws Exception {
        flood(true);

        Duration took = validLogin();

        long hashed = broker.core().passwordChecks().done();
        assertThat(took).isLessThan(LOGIN_BOUND);
        assertThat(hashed).as("hashes computed for %d closed junk connections and 1 login", FLOOD).isLessThan(FLOOD / 4);
        assertThat(broker.core().passwordChecks().skipped()).isPositive();
    }
}
