package io.starling.broker.core.protocol.v5;

import static io.starling.broker.core.protocol.v5.Mqtt5.number;
import static io.starling.broker.core.protocol.v5.Mqtt5.props;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.session.Session;
import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.Property;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Message Expiry Interval (MQTT 5 §3.3.2.3.3): a message not yet sent onward when its interval
 * passes is deleted (MQTT-3.3.2-5), and one that is sent carries the time it has left
 * (MQTT-3.3.2-6). Time is the broker's clock, which the test advances.
 */
class MessageExpiryTest {
    private final TestBroker broker = TestBroker.start();

    @AfterEach
    void tearDown() {
        broker.close();
    }

    private static Properties expiry(long seconds) {
        return props(number(PropertyId.MESSAGE_EXPIRY_INTERVAL, seconds));
    }

    /** A persistent 5.0 subscriber "sub" to "a/b" at QoS 1, now offline. */
    private void offlineSubscriber() {
        TestClient sub = Mqtt5.connected(broker, "sub", true, Mqtt5.sessionExpiry(600));
        sub.subscribe("a/b", QoS.AT_LEAST_ONCE);
        sub.dropConnection();
    }

    private TestClient reconnectSubscriber() {
        TestClient again = broker.newClient();
        assertThat(again.connect(Mqtt5.connect("sub", false, Mqtt5.sessionExpiry(600))).sessionPresent()).isTrue();
        return again;
    }

    @Test
    void queuedMessageWhoseExpiryPassed_isNotDeliveredOnReconnectAndIsCounted() {
        offlineSubscriber();
        TestClient pub = Mqtt5.connected(broker, "pub");
        Mqtt5.publish(broker, pub, "a/b", QoS.AT_LEAST_ONCE, expiry(10), "stale");
        Mqtt5.publish(broker, pub, "a/b", QoS.AT_LEAST_ONCE, Properties.EMPTY, "timeless");

        broker.clock().advance(Duration.ofSeconds(11));
        TestClient again = reconnectSubscriber();

        List<Publish> got = again.takePublishes();
        assertThat(got).extracting(Mqtt5::text).containsExactly("timeless");
        assertThat(broker.core().drops().expired.sum()).isEqualTo(1);
        again.ack(got.get(0));
        assertThat(again.onSession(Session::queuedCount)).isZero();
        broker.payloads().assertAllReleased();
    }

    @Test
    void queuedMessageStillValid_carriesTheTimeItHasLeft() {
        offlineSubscriber();
        TestClient pub = Mqtt5.connected(broker, "pub");
        Mqtt5.publish(broker, pub, "a/b", QoS.AT_LEAST_ONCE, expiry(10), "fresh");

        broker.clock().advance(Duration.ofSeconds(4));
        TestClient again = reconnectSubscriber();

        List<Publish> got = again.takePublishes();
        assertThat(got).hasSize(1);
        assertThat(got.get(0).properties().number(PropertyId.MESSAGE_EXPIRY_INTERVAL, -1)).isEqualTo(6);
        assertThat(broker.core().drops().expired.sum()).isZero();
    }

    @Test
    void theIntervalSent_isTheWholeSecondsLeftOnTheWallClock() {
        offlineSubscriber();
        TestClient pub = Mqtt5.connected(broker, "pub");
        Mqtt5.publish(broker, pub, "a/b", QoS.AT_LEAST_ONCE, expiry(10), "fresh"); // in second 0

        broker.clock().advance(Duration.ofMillis(9_500)); // in second 9: 10 - 9 left
        TestClient again = reconnectSubscriber();

        assertThat(again.takePublishes().get(0).properties().number(PropertyId.MESSAGE_EXPIRY_INTERVAL, -1))
                .isEqualTo(1);
    }

    @Test
    void inItsLastSecond_aMessageIsStillSent_carryingZero() {
        offlineSubscriber();
        TestClient pub = Mqtt5.connected(broker, "pub");
        Mqtt5.publish(broker, pub, "a/b", QoS.AT_LEAST_ONCE, expiry(10), "last");

        broker.clock().advance(Duration.ofMillis(10_500)); // second 10: not past 0 + 10 yet
        TestClient again = reconnectSubscriber();

        List<Publish> got = again.takePublishes();
        assertThat(got).extracting(Mqtt5::text).containsExactly("last");
        assertThat(got.get(0).properties().number(PropertyId.MESSAGE_EXPIRY_INTERVAL, -1)).isZero();
    }

    @Test
    void secondsCountFromTheWallClockSecondTheMessageArrivedIn() {
        offlineSubscriber();
        TestClient pub = Mqtt5.connected(broker, "pub");
        broker.clock().advance(Duration.ofMillis(900));
        Mqtt5.publish(broker, pub, "a/b", QoS.AT_LEAST_ONCE, expiry(2), "late"); // at 0.9 s: second 0
        broker.clock().advance(Duration.ofMillis(100));
        Mqtt5.publish(broker, pub, "a/b", QoS.AT_LEAST_ONCE, expiry(2), "early"); // at 1.0 s: second 1

        broker.clock().advance(Duration.ofMillis(1_400)); // 2.4 s: second 2
        TestClient again = reconnectSubscriber();
        List<Publish> got = again.takePublishes();
        assertThat(got).extracting(Mqtt5::text).containsExactly("late", "early");
        assertThat(got).extracting(p -> p.properties().number(PropertyId.MESSAGE_EXPIRY_INTERVAL, -1))
                .containsExactly(0L, 1L);
        again.dropConnection();

        broker.clock().advance(Duration.ofMillis(600)); // 3.0 s: past second 0 + 2, not past 1 + 2
        TestClient third = reconnectSubscriber();
        List<Publish> resent = third.takePublishes();
        assertThat(resent).extracting(Mqtt5::text).containsExactly("early");
        assertThat(broker.core().drops().expired.sum()).isOne();
    }

    @Test
    void liveMessage_carriesItsFullExpiryInterval() {
        TestClient sub = Mqtt5.connected(broker, "sub");
        sub.subscribe("a/b", QoS.AT_MOST_ONCE);
        TestClient pub = Mqtt5.connected(broker, "pub");

        Mqtt5.publish(broker, pub, "a/b", QoS.AT_MOST_ONCE, expiry(30), "now");

        List<Publish> got = sub.takePublishes();
        assertThat(got).hasSize(1);
        assertThat(got.get(0).properties().asList()).containsExactly(number(PropertyId.MESSAGE_EXPIRY_INTERVAL, 30));
    }

    @Test
    void messageWithoutExpiry_getsNoExpiryProperty() {
        TestClient sub = Mqtt5.connected(broker, "sub");
        sub.subscribe("a/b", QoS.AT_MOST_ONCE);
        TestClient pub = Mqtt5.connected(broker, "pub");

        Mqtt5.publish(broker, pub, "a/b", QoS.AT_MOST_ONCE, Properties.EMPTY, "forever");
        broker.clock().advance(Duration.ofDays(1));

        List<Publish> got = sub.takePublishes();
        assertThat(got).hasSize(1);
        assertThat(got.get(0).properties().contains(PropertyId.MESSAGE_EXPIRY_INTERVAL)).isFalse();
    }

    @Test
    void rewrittenExpiryInterval_leavesTheUserPropertiesInOrder() {
        TestClient sub = Mqtt5.connected(broker, "sub");
        sub.subscribe("a/b", QoS.AT_LEAST_ONCE);
        TestClient pub = Mqtt5.connected(broker, "pub");
        Properties published = props(
                new Property.UserProperty("first", "1"),
                number(PropertyId.MESSAGE_EXPIRY_INTERVAL, 10),
                new Property.UserProperty("second", "2"));

        Mqtt5.publish(broker, pub, "a/b", QoS.AT_LEAST_ONCE, published, "ordered");

        Publish got = sub.takePublishes().get(0);
        assertThat(got.properties().userProperties()).extracting(Property.UserProperty::name)
                .containsExactly("first", "second");
        assertThat(got.properties().number(PropertyId.MESSAGE_EXPIRY_INTERVAL, -1)).isEqualTo(10);
    }
}
