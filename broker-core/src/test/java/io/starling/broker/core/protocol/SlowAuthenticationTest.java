package io.starling.broker.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.auth.Authenticator;
import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Packet;
import io.starling.mqtt.codec.PingReq;
import io.starling.mqtt.codec.PingResp;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.ReasonCode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A slow password check (argon2id) runs off the event loop, and the connection waits for it. */
class SlowAuthenticationTest {
    private final AtomicReference<String> checkedOn = new AtomicReference<>();

    /** Accepts password "right" after 100 ms, like a memory-hard hash. */
    private final Authenticator slow = new Authenticator() {
        @Override
        public Decision authenticate(String clientId, String username, byte[] password) {
            checkedOn.set(Thread.currentThread().getName());
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return password != null && new String(password, StandardCharsets.UTF_8).equals("right")
                    ? Decision.ALLOW : Decision.NOT_AUTHORIZED;
        }

        @Override
        public boolean isSlow() {
            return true;
        }
    };

    private final TestBroker broker = TestBroker.start(slow);

    @AfterEach
    void tearDown() {
        broker.close();
    }

    private static Connect connect(String password) {
        return new Connect(MqttVersion.MQTT_3_1_1, "c", true, 60, "u", password.getBytes(StandardCharsets.UTF_8),
                null, Properties.EMPTY);
    }

    /** Waits until the client has been written {@code count} packets (the answer comes from another thread). */
    private List<Packet> awaitPackets(TestClient c, int count) throws InterruptedException {
        List<Packet> got = new ArrayList<>();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (got.size() < count && System.nanoTime() < deadline) {
            broker.drain();
            got.addAll(c.take());
            Thread.sleep(5);
        }
        return got;
    }

    @Test
    void slowCheck_runsOffTheEventLoopAndThenConnects() throws Exception {
        TestClient c = broker.newClient();

        c.send(connect("right"), PingReq.INSTANCE);
        List<Packet> got = awaitPackets(c, 2);

        assertThat(checkedOn.get()).startsWith("starling-auth");
        assertThat(got).hasSize(2);
        assertThat(got.get(0)).isInstanceOf(ConnAck.class);
        assertThat(((ConnAck) got.get(0)).reasonCode()).isEqualTo(ReasonCode.V3_ACCEPTED);
        assertThat(got.get(1)).isInstanceOf(PingResp.class); // the packet sent behind CONNECT waited
    }

    @Test
    void slowCheck_stopsReadingUntilAnsweredThenResumes() throws Exception {
        TestClient c = broker.newClient();

        c.send(connect("right"));
        boolean readingWhileChecked = c.connection().isReading();
        awaitPackets(c, 1);

        assertThat(readingWhileChecked).as("reading while the hash runs").isFalse();
        assertThat(c.connection().isReading()).isTrue();
    }

    @Test
    void slowCheckFailing_refusesAsNotAuthorized() throws Exception {
        TestClient c = broker.newClient();

        c.send(connect("wrong"));
        List<Packet> got = awaitPackets(c, 1);

        assertThat(got).singleElement().isInstanceOf(ConnAck.class);
        assertThat(((ConnAck) got.get(0)).reasonCode()).isEqualTo(ReasonCode.V3_NOT_AUTHORIZED);
        assertThat(c.isClosed()).isTrue();
    }
}
