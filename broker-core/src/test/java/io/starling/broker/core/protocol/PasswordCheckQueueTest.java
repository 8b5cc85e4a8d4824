package io.starling.broker.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.BrokerSettings;
import io.starling.broker.core.auth.Authenticator;
import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Packet;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.ReasonCode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Slow password checks (argon2id) share one bounded queue: a flood of CONNECTs cannot make a valid
 * login wait for ever, a check whose connection closed while it waited is not made, and the checks
 * a password file reload makes wait behind logins.
 */
class PasswordCheckQueueTest {

    /** A slow check that, while {@link #hold} is set, waits for a permit per check; records who it checked. */
    private static final class GatedAuthenticator implements Authenticator {
        final List<String> checked = new CopyOnWriteArrayList<>();
        final Semaphore permits = new Semaphore(0);
        volatile boolean hold;

        @Override
        public Decision authenticate(String clientId, String username, byte[] password) {
            checked.add(username);
            if (hold) {
                permits.acquireUninterruptibly();
            }
            return password != null && new String(password, StandardCharsets.UTF_8).equals("right")
                    ? Decision.ALLOW : Decision.NOT_AUTHORIZED;
        }

        @Override
        public boolean isSlow() {
            return true;
        }

        void releaseAll() {
            hold = false;
            permits.release(10_000);
        }
    }

    private final GatedAuthenticator gate = new GatedAuthenticator();
    private TestBroker broker;

    @AfterEach
    void tearDown() {
        gate.releaseAll();
        if (broker != null) {
            broker.close();
        }
    }

    private static Connect connect(MqttVersion version, String clientId, String username, String password) {
        return new Connect(version, clientId, true, 60, username, password.getBytes(StandardCharsets.UTF_8), null,
                Properties.EMPTY);
    }

    private static Connect connect(String clientId, String username, String password) {
        return connect(MqttVersion.MQTT_3_1_1, clientId, username, password);
    }

    private void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what + "; checked " + gate.checked);
            }
            broker.drain();
            Thread.sleep(2);
        }
        broker.drain();
    }

    /** Waits for the client's CONNACK (written from the check's answer, which comes back to the loop). */
    private ConnAck connAck(TestClient c) throws InterruptedException {
        List<Packet> got = new ArrayList<>();
        await(() -> {
            got.addAll(c.take());
            return !got.isEmpty();
        }, "a CONNACK");
        return (ConnAck) got.get(0);
    }

    /** Occupies every check thread (the default two) with a check that waits at the gate. */
    private void occupyCheckThreads(int threads) throws InterruptedException {
        gate.hold = true;
        for (int i = 0; i < threads; i++) {
            broker.newClient().send(connect("busy-" + i, "busy-" + i, "right"));
        }
        await(() -> gate.checked.size() == threads, threads + " checks running");
    }

    @Test
    void checksOfConnectionsClosedWhileWaiting_areNotMade() throws Exception {
        broker = TestBroker.start(gate);
        occupyCheckThreads(2);
        for (int i = 0; i < 10; i++) {
            TestClient junk = broker.newClient();
            junk.send(connect("junk-" + i, "junk-" + i, "wrong"));
            junk.dropConnection();
        }
        TestClient valid = broker.newClient();
        valid.send(connect("valid", "valid", "right"));

        gate.releaseAll();

        assertThat(connAck(valid).reasonCode()).isEqualTo(ReasonCode.V3_ACCEPTED);
        assertThat(gate.checked).as("hashes computed").containsExactlyInAnyOrder("busy-0", "busy-1", "valid");
        assertThat(broker.core().passwordChecks().skipped()).isEqualTo(10);
    }

    @Test
    void fullQueue_refuses311WithServerUnavailable_and50WithServerBusy() throws Exception {
        broker = TestBroker.start(BrokerSettings.defaults().toBuilder()
                .passwordCheckThreads(1).maxPendingPasswordChecks(2).build(), gate);
        occupyCheckThreads(1);
        TestClient queued1 = broker.newClient();
        queued1.send(connect("q1", "q1", "right"));
        TestClient queued2 = broker.newClient();
        queued2.send(connect("q2", "q2", "right"));

        TestClient v3 = broker.newClient();
        v3.send(connect("over-v3", "over", "right"));
        TestClient v5 = broker.newClient();
        v5.send(connect(MqttVersion.MQTT_5, "over-v5", "over", "right"));

        assertThat(connAck(v3).reasonCode()).isEqualTo(ReasonCode.V3_SERVER_UNAVAILABLE);
        assertThat(connAck(v5).reasonCode()).isEqualTo(ReasonCode.SERVER_BUSY);
        assertThat(v3.isClosed()).isTrue();
        assertThat(v5.isClosed()).isTrue();
        assertThat(broker.core().passwordChecks().refused()).isEqualTo(2);

        gate.releaseAll();
        assertThat(connAck(queued1).reasonCode()).isEqualTo(ReasonCode.V3_ACCEPTED);
        assertThat(connAck(queued2).reasonCode()).isEqualTo(ReasonCode.V3_ACCEPTED);
        assertThat(gate.checked).doesNotContain("over");
    }

    @Test
    void recheckAfterReload_waitsBehindLogins() throws Exception {
        broker = TestBroker.start(gate);
        for (int i = 0; i < 5; i++) {
            TestClient c = broker.newClient();
            c.send(connect("old-" + i, "old-" + i, "right"));
            assertThat(connAck(c).reasonCode()).isEqualTo(ReasonCode.V3_ACCEPTED);
        }
        gate.checked.clear();
        occupyCheckThreads(2);

        broker.loop().run(() -> Credentials.recheckOn(broker.core(), broker.loop().outbox()));
        broker.drain();
        TestClient late = broker.newClient();
        late.send(connect("late", "late", "right"));
        broker.drain();
        gate.releaseAll();

        assertThat(connAck(late).reasonCode()).isEqualTo(ReasonCode.V3_ACCEPTED);
        await(() -> gate.checked.size() == 8, "every re-check made");
        // Two threads free up together: one takes the login, the other at most one re-check.
        assertThat(gate.checked.indexOf("late")).as("position of the login among %s", gate.checked)
                .isLessThanOrEqualTo(3);
    }
}
