package io.starling.broker.core.protocol.v5;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.ReasonCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * DISCONNECT sent by the broker (MQTT 5 §3.14, §4.13): a 5.0 client is told why its connection
 * ends (keepalive timeout 0x8D, session taken over 0x8E, server shutting down 0x8B); 3.1.1 has no
 * server DISCONNECT, so a 3.1.1 client's connection just closes.
 */
class ServerDisconnectTest {
    private final TestBroker broker = TestBroker.start();

    @AfterEach
    void tearDown() {
        broker.close();
    }

    private static void keepAliveTimeout(TestClient c) {
        c.loop().run(() -> c.client().onKeepAliveTimeout());
        c.loop().drain();
    }

    private static void shutdown(TestClient c) {
        c.loop().run(() -> c.client().onShutdown());
        c.loop().drain();
    }

    @Test
    void keepAliveTimeout_tellsA5ClientWithKeepAliveTimeout() {
        TestClient c = Mqtt5.connected(broker, "c");

        keepAliveTimeout(c);

        Mqtt5.assertDisconnectedWith(c, ReasonCode.KEEP_ALIVE_TIMEOUT);
        assertThat(c.connection().unflushedCount()).isZero();
    }

    @Test
    void keepAliveTimeout_closesA311ClientWithoutDisconnect() {
        TestClient c = broker.connected("c");

        keepAliveTimeout(c);

        assertThat(c.isClosed()).isTrue();
        c.expectNothing();
    }

    @Test
    void takeover_tellsTheOld5ConnectionSessionTakenOver() {
        TestClient old = Mqtt5.connected(broker, "c");

        ConnAck ack = broker.newClient().connect(Mqtt5.connect("c", true, Properties.EMPTY));

        assertThat(ack.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        Mqtt5.assertDisconnectedWith(old, ReasonCode.SESSION_TAKEN_OVER);
    }

    @Test
    void takeoverBy311Client_stillTellsTheOld5Connection() {
        TestClient old = Mqtt5.connected(broker, "c");

        broker.newClient().connect("c", true);

        Mqtt5.assertDisconnectedWith(old, ReasonCode.SESSION_TAKEN_OVER);
    }

    @Test
    void takeover_closesAnOld311ConnectionWithoutDisconnect() {
        TestClient old = broker.connected("c");

        broker.newClient().connect(Mqtt5.connect("c", true, Properties.EMPTY));

        assertThat(old.isClosed()).isTrue();
        old.expectNothing();
    }

    @Test
    void shutdown_tellsA5ClientServerShuttingDown() {
        TestClient c = Mqtt5.connected(broker, "c");

        shutdown(c);

        Mqtt5.assertDisconnectedWith(c, ReasonCode.SERVER_SHUTTING_DOWN);
    }

    @Test
    void shutdown_closesA311ClientWithoutDisconnect() {
        TestClient c = broker.connected("c");

        shutdown(c);

        assertThat(c.isClosed()).isTrue();
        c.expectNothing();
    }

    @Test
    void shutdownOfAClosedConnection_sendsNothing() {
        TestClient c = Mqtt5.connected(broker, "c");
        c.disconnect();

        shutdown(c);

        c.expectNothing();
    }

    @Test
    void serverDisconnect_isFollowedByNothingElse() {
        TestClient c = Mqtt5.connected(broker, "c");
        c.subscribe("a/b", QoS.AT_MOST_ONCE);
        keepAliveTimeout(c);
        c.take();

        Mqtt5.connected(broker, "pub").publish("a/b", QoS.AT_MOST_ONCE, "too late");

        c.expectNothing();
    }

    @Test
    void publishCarryingASubscriptionIdentifier_isTakenAndTheIdentifierNotPassedOn() {
        TestClient sub = Mqtt5.connected(broker, "sub");
        sub.subscribe("a/b", QoS.AT_MOST_ONCE);
        TestClient c = Mqtt5.connected(broker, "c");

        c.send(new io.starling.mqtt.codec.Publish(false, QoS.AT_MOST_ONCE, false, "a/b", 0,
                Mqtt5.props(Mqtt5.number(io.starling.mqtt.codec.PropertyId.SUBSCRIPTION_IDENTIFIER, 3)),
                broker.payloads().of("x")));

        // MQTT-3.3.4-6 forbids it but names no reaction; mosquitto 2.0.11 drops the identifier
        assertThat(c.isClosed()).isFalse();
        assertThat(sub.takePublishes().get(0).properties().isEmpty()).isTrue();
    }
}
