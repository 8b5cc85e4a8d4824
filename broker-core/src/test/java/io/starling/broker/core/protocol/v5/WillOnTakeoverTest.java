package io.starling.broker.core.protocol.v5;

import static io.starling.broker.core.protocol.v5.Mqtt5.number;
import static io.starling.broker.core.protocol.v5.Mqtt5.props;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.Will;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The will of a connection taken over by a new CONNECT with the same client id, as mosquitto 2.0.11
 * decides it (measured with raw packets): published only when the old connection's session ended with
 * it (5.0 Session Expiry 0, 3.x clean session) or the new CONNECT starts clean; otherwise, and always
 * when the will has a delay, discarded.
 */
class WillOnTakeoverTest {
    private final TestBroker broker = TestBroker.start();
    private TestClient watcher;

    @BeforeEach
    void watchWills() {
        watcher = Mqtt5.connected(broker, "watcher");
        watcher.subscribe("will/#", QoS.AT_MOST_ONCE);
    }

    @AfterEach
    void tearDown() {
        broker.close();
    }

    private static Will will(long delaySeconds) {
        return Mqtt5.will("will/c", "bye", QoS.AT_MOST_ONCE,
                delaySeconds == 0 ? Properties.EMPTY : props(number(PropertyId.WILL_DELAY_INTERVAL, delaySeconds)));
    }

    private static Connect v5(boolean cleanStart, long sessionExpiry, Will will) {
        return Mqtt5.connect("c", cleanStart, 60, will, Mqtt5.sessionExpiry(sessionExpiry));
    }

    private static Connect v311(boolean cleanSession, Will will) {
        return new Connect(MqttVersion.MQTT_3_1_1, "c", cleanSession, 60, null, null, will, Properties.EMPTY);
    }

    private List<String> willsAfterTakeover(Connect old, Connect takeover) {
        broker.newClient().connect(old);
        broker.newClient().connect(takeover);
        broker.drain();
        return watcher.takePublishes().stream().map(Mqtt5::text).toList();
    }

    @Test
    void v5SessionExpiryZero_resumedWithoutCleanStart_publishesTheWill() {
        assertThat(willsAfterTakeover(v5(true, 0, will(0)), v5(false, 0, null))).containsExactly("bye");
    }

    @Test
    void v5PersistentSession_resumedWithoutCleanStart_discardsTheWill() {
        assertThat(willsAfterTakeover(v5(true, 100, will(0)), v5(false, 100, null))).isEmpty();
    }

    @Test
    void v5PersistentSession_takenOverWithCleanStart_publishesTheWill() {
        assertThat(willsAfterTakeover(v5(true, 100, will(0)), v5(true, 100, null))).containsExactly("bye");
    }

    @Test
    void v311CleanSession_resumedWithoutCleanSession_publishesTheWill() {
        assertThat(willsAfterTakeover(v311(true, will(0)), v311(false, null))).containsExactly("bye");
    }

    @Test
    void v311PersistentSession_resumedWithoutCleanSession_discardsTheWill() {
        assertThat(willsAfterTakeover(v311(false, will(0)), v311(false, null))).isEmpty();
    }

    @Test
    void v311PersistentSession_takenOverWithCleanSession_publishesTheWill() {
        assertThat(willsAfterTakeover(v311(false, will(0)), v311(true, null))).containsExactly("bye");
    }

    @Test
    void delayedWill_isDiscardedOnTakeover_evenWithCleanStart() {
        assertThat(willsAfterTakeover(v5(true, 0, will(1)), v5(true, 0, null))).isEmpty();
        Mqtt5.sleep(Duration.ofMillis(1500));
        watcher.expectNothing();
    }

    @Test
    void delayedWillOfAPersistentSession_isDiscardedOnTakeover() {
        assertThat(willsAfterTakeover(v5(true, 100, will(1)), v5(true, 100, null))).isEmpty();
        Mqtt5.sleep(Duration.ofMillis(1500));
        watcher.expectNothing();
    }
}
