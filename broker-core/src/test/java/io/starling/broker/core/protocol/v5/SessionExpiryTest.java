package io.starling.broker.core.protocol.v5;

import static io.starling.broker.core.protocol.v5.Mqtt5.sessionExpiry;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.session.Session;
import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.Disconnect;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.ReasonCode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Session Expiry Interval (MQTT 5 §3.1.2.11.2, §3.14.2.2.2): how long a session outlives its
 * connection, set by CONNECT and changed by DISCONNECT. Expiry runs on real loop timers, so the
 * tests that see a session expire use an interval of one second and wait for it, bounded.
 */
class SessionExpiryTest {
    private final TestBroker broker = TestBroker.start();

    @AfterEach
    void tearDown() {
        broker.close();
    }

    /** A 5.0 client "c" subscribed to "a/b" at QoS 1 with {@code connectProperties}. */
    private TestClient subscriber(Properties connectProperties) {
        TestClient c = Mqtt5.connected(broker, "c", true, connectProperties);
        c.subscribe("a/b", QoS.AT_LEAST_ONCE);
        return c;
    }

    private ConnAck reconnect(boolean cleanStart, Properties properties) {
        return broker.newClient().connect(Mqtt5.connect("c", cleanStart, properties));
    }

    private Session session() {
        return broker.core().sessions().get("c");
    }

    @Test
    void expiryZero_endsTheSessionWithTheConnection() {
        TestClient c = subscriber(Properties.EMPTY);

        c.disconnect();
        broker.drain();

        assertThat(session()).isNull();
        assertThat(broker.core().subscriptions().size()).isZero();
    }

    @Test
    void expiryZero_endsTheSessionWhenTheConnectionIsLost() {
        TestClient c = subscriber(Properties.EMPTY);

        c.dropConnection();
        broker.drain();

        assertThat(session()).isNull();
    }

    @Test
    void sessionWithExpiry_isResumedWithItsSubscriptionsAndQueuedMessages() {
        TestClient c = subscriber(sessionExpiry(60));
        c.dropConnection();
        assertThat(session()).isNotNull();
        TestClient pub = Mqtt5.connected(broker, "pub");
        pub.publish("a/b", QoS.AT_LEAST_ONCE, "while away");

        TestClient again = broker.newClient();
        ConnAck ack = again.connect(Mqtt5.connect("c", false, sessionExpiry(60)));

        assertThat(ack.sessionPresent()).isTrue();
        List<Publish> got = again.takePublishes();
        assertThat(got).extracting(Mqtt5::text).containsExactly("while away");
        again.ack(got.get(0));
        pub.publish("a/b", QoS.AT_LEAST_ONCE, "after");
        assertThat(again.takePublishes()).extracting(Mqtt5::text).containsExactly("after");
    }

    @Test
    void sessionWithExpiry_endsWhenTheIntervalPasses() {
        TestClient c = subscriber(sessionExpiry(1));

        c.disconnect();
        broker.drain();
        assertThat(session()).as("kept right after the disconnect").isNotNull();

        Mqtt5.await("the session expires", () -> session() == null);
        assertThat(broker.core().subscriptions().size()).isZero();
        TestClient again = broker.newClient();
        ConnAck ack = again.connect(Mqtt5.connect("c", false, sessionExpiry(1)));
        assertThat(ack.sessionPresent()).isFalse();
        assertThat(again.onSession(Session::subscriptionCount)).isZero();
    }

    @Test
    void messagesForAnExpiredSession_areNotDelivered() {
        TestClient c = subscriber(sessionExpiry(1));
        c.dropConnection();
        Mqtt5.await("the session expires", () -> session() == null);

        TestClient again = broker.newClient();
        again.connect(Mqtt5.connect("c", false, sessionExpiry(1)));
        Mqtt5.connected(broker, "pub").publish("a/b", QoS.AT_LEAST_ONCE, "nobody");

        again.expectNothing();
    }

    @Test
    void expiryNever_keepsTheSession() {
        TestClient c = subscriber(sessionExpiry(Session.NEVER_EXPIRES));
        c.disconnect();

        Mqtt5.sleep(Duration.ofMillis(1200));

        assertThat(session()).isNotNull();
        assertThat(reconnect(false, Properties.EMPTY).sessionPresent()).isTrue();
    }

    @Test
    void disconnectWithExpiryZero_endsAPersistentSessionAtOnce() {
        TestClient c = subscriber(sessionExpiry(60));

        c.send(new Disconnect(ReasonCode.NORMAL_DISCONNECTION, sessionExpiry(0)));
        broker.drain();

        assertThat(c.isClosed()).isTrue();
        assertThat(session()).isNull();
    }

    @Test
    void disconnectWithShorterExpiry_replacesTheConnectValue() {
        TestClient c = subscriber(sessionExpiry(3600));

        c.send(new Disconnect(ReasonCode.NORMAL_DISCONNECTION, sessionExpiry(1)));
        broker.drain();
        assertThat(session()).isNotNull();

        Mqtt5.await("the session expires after the DISCONNECT's interval", () -> session() == null);
    }

    @Test
    void disconnectWithoutExpiryProperty_keepsTheConnectValue() {
        TestClient c = subscriber(sessionExpiry(60));

        c.disconnect();
        broker.drain();

        assertThat(session()).isNotNull();
        assertThat(reconnect(false, sessionExpiry(60)).sessionPresent()).isTrue();
    }

    @Test
    void disconnectSettingAnExpiryAfterConnectSetZero_isAProtocolError() {
        TestClient c = subscriber(Properties.EMPTY);

        c.send(new Disconnect(ReasonCode.NORMAL_DISCONNECTION, sessionExpiry(60))); // MQTT-3.14.2-2

        Mqtt5.assertDisconnectedWith(c, ReasonCode.PROTOCOL_ERROR);
        broker.drain();
        assertThat(session()).as("the expiry stays 0").isNull();
    }

    @Test
    void cleanStartWithAnExistingSession_discardsIt() {
        TestClient c = subscriber(sessionExpiry(60));
        c.dropConnection();
        TestClient pub = Mqtt5.connected(broker, "pub");
        pub.publish("a/b", QoS.AT_LEAST_ONCE, "for the old session");

        TestClient again = broker.newClient();
        ConnAck ack = again.connect(Mqtt5.connect("c", true, sessionExpiry(60)));

        assertThat(ack.sessionPresent()).isFalse(); // MQTT-3.2.2-2
        again.expectNothing();
        assertThat(again.onSession(Session::subscriptionCount)).isZero();
        pub.publish("a/b", QoS.AT_LEAST_ONCE, "after");
        again.expectNothing();
        broker.payloads().assertAllReleased();
    }

    @Test
    void takeoverWithoutCleanStart_keepsTheSessionOfTheOpenConnection() {
        TestClient first = subscriber(sessionExpiry(60));

        TestClient second = broker.newClient();
        ConnAck ack = second.connect(Mqtt5.connect("c", false, sessionExpiry(60)));

        assertThat(first.isClosed()).isTrue();
        assertThat(ack.sessionPresent()).isTrue();
        assertThat(second.onSession(Session::subscriptionCount)).isEqualTo(1);
    }

    @Test
    void reconnectWithExpiryZero_endsTheResumedSessionWithTheNewConnection() {
        TestClient c = subscriber(sessionExpiry(60));
        c.dropConnection();

        TestClient again = broker.newClient();
        assertThat(again.connect(Mqtt5.connect("c", false, Properties.EMPTY)).sessionPresent()).isTrue();
        again.dropConnection();
        broker.drain();

        assertThat(session()).isNull();
    }
}
