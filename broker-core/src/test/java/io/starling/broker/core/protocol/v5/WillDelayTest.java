package io.starling.broker.core.protocol.v5;

import static io.starling.broker.core.protocol.v5.Mqtt5.number;
import static io.starling.broker.core.protocol.v5.Mqtt5.props;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.mqtt.codec.Disconnect;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.Property;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.ReasonCode;
import io.starling.mqtt.codec.Will;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The will of a 5.0 client (MQTT 5 §3.1.2.5, §3.1.3.2.2, §3.14.2.1): DISCONNECT with reason 0x04
 * sends it, a normal DISCONNECT discards it, and the Will Delay Interval holds it back until the
 * delay passes or the session ends, whichever is first; a reconnect in time cancels it. The delay
 * runs on a real loop timer: one second, waited for with a bound.
 */
class WillDelayTest {
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

    private static Will will(String payload, long delaySeconds) {
        return Mqtt5.will("will/c", payload, QoS.AT_MOST_ONCE,
                delaySeconds < 0 ? Properties.EMPTY : props(number(PropertyId.WILL_DELAY_INTERVAL, delaySeconds)));
    }

    private TestClient connectedWithWill(Will will, long sessionExpiry) {
        return Mqtt5.connected(broker, Mqtt5.connect("c", true, 60, will, Mqtt5.sessionExpiry(sessionExpiry)));
    }

    private List<String> willsSeen() {
        return watcher.takePublishes().stream().map(Mqtt5::text).toList();
    }

    @Test
    void disconnectWithWillMessage_publishesTheWill() {
        TestClient c = connectedWithWill(will("bye", -1), 0);

        c.send(new Disconnect(ReasonCode.DISCONNECT_WITH_WILL_MESSAGE, Properties.EMPTY));

        assertThat(c.isClosed()).isTrue();
        assertThat(willsSeen()).containsExactly("bye");
    }

    @Test
    void normalDisconnect_discardsTheWill() {
        TestClient c = connectedWithWill(will("unwanted", -1), 0);

        c.send(new Disconnect(ReasonCode.NORMAL_DISCONNECTION, Properties.EMPTY)); // MQTT-3.14.4-3

        assertThat(c.isClosed()).isTrue();
        watcher.expectNothing();
    }

    @Test
    void delayedWill_isPublishedWhenTheDelayPasses() {
        TestClient c = connectedWithWill(will("late", 1), 60);

        c.dropConnection();
        assertThat(watcher.take()).as("held back by the delay").isEmpty();

        Mqtt5.await("the delayed will is published", () -> !watcher.connection().written().isEmpty());
        assertThat(willsSeen()).containsExactly("late");
        Mqtt5.await("the delayed will is flushed", () -> watcher.connection().unflushedCount() == 0);
        assertThat(broker.core().sessions().get("c")).as("the session outlives the will").isNotNull();
    }

    @Test
    void reconnectWithinTheDelay_cancelsTheWill() {
        TestClient c = connectedWithWill(will("cancelled", 1), 60);
        c.dropConnection();

        TestClient again = broker.newClient();
        assertThat(again.connect(Mqtt5.connect("c", false, Mqtt5.sessionExpiry(60))).sessionPresent()).isTrue();
        Mqtt5.sleep(Duration.ofMillis(1500));

        watcher.expectNothing(); // MQTT-3.1.3-9
    }

    @Test
    void cleanStartReconnectWithinTheDelay_discardsTheWill() {
        TestClient c = connectedWithWill(will("old session ended", 1), 60);
        c.dropConnection();
        watcher.expectNothing();

        broker.newClient().connect(Mqtt5.connect("c", true, Mqtt5.sessionExpiry(60)));
        Mqtt5.sleep(Duration.ofMillis(1500));

        watcher.expectNothing(); // as mosquitto: any reconnect within the delay discards the will
    }

    @Test
    void willDelayWithSessionExpiryZero_stillWaitsForTheDelay() {
        TestClient c = connectedWithWill(will("later", 1), 0);

        c.dropConnection();
        assertThat(watcher.take()).as("held back by the delay, though the session has no expiry").isEmpty();

        Mqtt5.await("the delayed will is published", () -> !watcher.connection().written().isEmpty());
        assertThat(willsSeen()).containsExactly("later");
        Mqtt5.await("the session ends with its will", () -> broker.core().sessions().get("c") == null);
    }

    @Test
    void reconnectWithinTheDelayOfASessionWithExpiryZero_discardsTheWill() {
        TestClient c = connectedWithWill(will("cancelled", 1), 0);
        c.dropConnection();

        TestClient again = broker.newClient();
        assertThat(again.connect(Mqtt5.connect("c", false, Properties.EMPTY)).sessionPresent()).isFalse();
        Mqtt5.sleep(Duration.ofMillis(1500));

        watcher.expectNothing();
    }

    @Test
    void sessionExpiringBeforeTheDelay_publishesTheWillWhenTheSessionEnds() {
        TestClient c = connectedWithWill(will("at expiry", 60), 1);

        c.dropConnection();
        watcher.expectNothing();

        Mqtt5.await("the session expires", () -> broker.core().sessions().get("c") == null);
        Mqtt5.await("the will is published", () -> !watcher.connection().written().isEmpty());
        assertThat(willsSeen()).containsExactly("at expiry");
        Mqtt5.await("the will is flushed", () -> watcher.connection().unflushedCount() == 0);
    }

    @Test
    void willDelayInterval_isNotForwardedButTheOtherWillPropertiesAre() {
        Properties willProperties = props(
                number(PropertyId.WILL_DELAY_INTERVAL, 1),
                Mqtt5.text(PropertyId.CONTENT_TYPE, "text/plain"),
                new Property.UserProperty("k", "v"));
        TestClient c = connectedWithWill(Mqtt5.will("will/c", "props", QoS.AT_MOST_ONCE, willProperties), 0);

        c.dropConnection();
        Mqtt5.await("the delayed will is published", () -> !watcher.connection().written().isEmpty());

        List<Publish> got = watcher.takePublishes();
        assertThat(got).hasSize(1);
        assertThat(got.get(0).properties().asList()).containsExactly(
                Mqtt5.text(PropertyId.CONTENT_TYPE, "text/plain"),
                new Property.UserProperty("k", "v"));
    }

    @Test
    void disconnectWithWillMessage_stillWaitsForTheWillDelay() {
        TestClient c = connectedWithWill(will("asked for, later", 1), 60);

        c.send(new Disconnect(ReasonCode.DISCONNECT_WITH_WILL_MESSAGE, Properties.EMPTY));
        assertThat(c.isClosed()).isTrue();
        assertThat(watcher.take()).as("held back by the delay").isEmpty();

        Mqtt5.await("the delayed will is published", () -> !watcher.connection().written().isEmpty());
        assertThat(willsSeen()).containsExactly("asked for, later");
    }
}
