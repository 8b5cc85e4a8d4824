package io.starling.broker.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.BrokerSettings;
import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.PubComp;
import io.starling.mqtt.codec.PubRec;
import io.starling.mqtt.codec.PubRel;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Sessions that outlive their connection (3.1.1 §3.1.2.4, §4.1, §4.4). */
class PersistentSessionTest {
    private TestBroker broker = TestBroker.start();

    @AfterEach
    void tearDown() {
        broker.close();
    }

    private static String text(Publish p) {
        return p.payload().toString(StandardCharsets.UTF_8);
    }

    /** A persistent subscriber to "a/b" at {@code qos}, connected once and then gone. */
    private TestClient offlineSubscriber(QoS qos) {
        TestClient first = broker.newClient();
        first.connect("sub", false);
        first.subscribe("a/b", qos);
        first.dropConnection();
        return first;
    }

    @Test
    void persistentSession_survivesItsConnection() {
        TestClient gone = offlineSubscriber(QoS.AT_LEAST_ONCE);

        assertThat(gone.onSession(Session::isOnline)).isFalse();
        assertThat(gone.onSession(Session::subscriptionCount)).isEqualTo(1);
    }

    @Test
    void qos1WhileOffline_isQueuedAndDeliveredOnReconnectAfterConnAckWithSessionPresent() {
        TestClient gone = offlineSubscriber(QoS.AT_LEAST_ONCE);
        TestClient pub = broker.connected("pub");
        pub.publish("a/b", QoS.AT_LEAST_ONCE, "while away");
        assertThat(gone.onSession(Session::queuedCount)).isEqualTo(1);

        TestClient again = broker.newClient();
        ConnAck ack = again.connect("sub", false);

        assertThat(ack.sessionPresent()).isTrue();
        List<Publish> got = again.takePublishes();
        assertThat(got).hasSize(1);
        assertThat(text(got.get(0))).isEqualTo("while away");
        assertThat(got.get(0).qos()).isEqualTo(QoS.AT_LEAST_ONCE);
        assertThat(got.get(0).dup()).isFalse(); // never sent before
        again.ack(got.get(0));
        broker.payloads().assertAllReleased();
    }

    @Test
    void qos0WhileOffline_isNotQueuedByDefault() {
        offlineSubscriber(QoS.AT_LEAST_ONCE);
        TestClient pub = broker.connected("pub");

        pub.publish("a/b", QoS.AT_MOST_ONCE, "lost");

        assertThat(broker.core().drops().offlineQos0.sum()).isEqualTo(1);
        TestClient again = broker.newClient();
        again.connect("sub", false);
        again.expectNothing();
        broker.payloads().assertAllReleased();
    }

    @Test
    void qos0WhileOffline_isQueuedWhenConfigured() {
        broker.close();
        broker = TestBroker.start(BrokerSettings.defaults().toBuilder().queueQos0Messages(true).build());
        offlineSubscriber(QoS.AT_LEAST_ONCE);
        TestClient pub = broker.connected("pub");

        pub.publish("a/b", QoS.AT_MOST_ONCE, "kept");

        TestClient again = broker.newClient();
        again.connect("sub", false);
        assertThat(again.takePublishes()).extracting(PersistentSessionTest::text).containsExactly("kept");
    }

    @Test
    void unacknowledgedQos1_isResentWithDupOnReconnect() {
        TestClient first = broker.newClient();
        first.connect("sub", false);
        first.subscribe("a/b", QoS.AT_LEAST_ONCE);
        TestClient pub = broker.connected("pub");
        pub.publish("a/b", QoS.AT_LEAST_ONCE, "unacked");
        Publish original = first.takePublishes().get(0);
        first.dropConnection();

        TestClient again = broker.newClient();
        ConnAck ack = again.connect("sub", false);

        assertThat(ack.sessionPresent()).isTrue();
        List<Publish> got = again.takePublishes();
        assertThat(got).hasSize(1);
        Publish resent = got.get(0);
        assertThat(resent.dup()).isTrue(); // MQTT-4.4.0-1
        assertThat(resent.packetId()).isEqualTo(original.packetId());
        assertThat(text(resent)).isEqualTo("unacked");
        again.ack(resent);
        assertThat(again.onSession(Session::inflightCount)).isZero();
    }

    @Test
    void inflightAndQueuedMessages_comeBackInOrderAfterReconnect() {
        TestClient first = broker.newClient();
        first.connect("sub", false);
        first.subscribe("a/b", QoS.AT_LEAST_ONCE);
        TestClient pub = broker.connected("pub");
        pub.publish("a/b", QoS.AT_LEAST_ONCE, "m0");
        first.dropConnection();
        pub.publish("a/b", QoS.AT_LEAST_ONCE, "m1");
        pub.publish("a/b", QoS.AT_LEAST_ONCE, "m2");

        TestClient again = broker.newClient();
        again.connect("sub", false);

        List<Publish> got = again.takePublishes();
        assertThat(got).extracting(PersistentSessionTest::text).containsExactly("m0", "m1", "m2");
        assertThat(got).extracting(Publish::dup).containsExactly(true, false, false);
        assertThat(got).extracting(Publish::packetId).doesNotHaveDuplicates();
    }

    @Test
    void qos2AfterPubRec_resendsPubRelOnReconnect() {
        TestClient first = broker.newClient();
        first.connect("sub", false);
        first.subscribe("a/b", QoS.EXACTLY_ONCE);
        TestClient pub = broker.connected("pub");
        pub.publishAndRelease("a/b", QoS.EXACTLY_ONCE, "x");
        int id = first.takePublishes().get(0).packetId();
        first.send(new PubRec(id));
        assertThat(first.take()).containsExactly(new PubRel(id));
        first.dropConnection();

        TestClient again = broker.newClient();
        again.connect("sub", false);

        assertThat(again.take()).containsExactly(new PubRel(id)); // not the PUBLISH again
        again.send(new PubComp(id));
        assertThat(again.onSession(Session::inflightCount)).isZero();
    }

    @Test
    void incomingQos2AwaitingPubRel_isRememberedAcrossReconnect() {
        TestClient sub = broker.connected("watcher");
        sub.subscribe("a/b", QoS.AT_MOST_ONCE);
        TestClient pub = broker.newClient();
        pub.connect("pub", false);
        pub.send(pub.publishPacket("a/b", QoS.EXACTLY_ONCE, false, 3, "once"));
        pub.dropConnection();

        TestClient again = broker.newClient();
        again.connect("pub", false);
        Publish resend = again.publishPacket("a/b", QoS.EXACTLY_ONCE, false, 3, "once");
        again.send(new Publish(true, QoS.EXACTLY_ONCE, false, "a/b", 3, resend.properties(), resend.payload()));
        assertThat(sub.takePublishes()).isEmpty();
        again.send(new PubRel(3));

        assertThat(sub.takePublishes()).hasSize(1);
        assertThat(again.take()).containsExactly(new PubRec(3), new PubComp(3));
        broker.payloads().assertAllReleased();
    }

    @Test
    void incomingQos2AwaitingPubRel_isPassedOnByThePubRelOfTheConnectionThatTookTheSessionOver() {
        TestClient sub = broker.connected("watcher");
        sub.subscribe("a/b", QoS.AT_MOST_ONCE);
        TestClient pub = broker.newClient();
        pub.connect("pub", false);
        pub.send(pub.publishPacket("a/b", QoS.EXACTLY_ONCE, false, 3, "held"));

        TestClient again = broker.newClient();
        assertThat(again.connect("pub", false).sessionPresent()).isTrue();
        assertThat(pub.isClosed()).isTrue();
        again.send(new PubRel(3));

        assertThat(sub.takePublishes()).extracting(PersistentSessionTest::text).containsExactly("held");
        assertThat(again.take()).containsExactly(new PubComp(3));
    }

    @Test
    void incomingQos2AwaitingPubRel_isForgottenByACleanStart_andWithACleanSession() {
        TestClient sub = broker.connected("watcher");
        sub.subscribe("a/b", QoS.AT_MOST_ONCE);
        TestClient persistent = broker.newClient();
        persistent.connect("pub", false);
        persistent.send(persistent.publishPacket("a/b", QoS.EXACTLY_ONCE, false, 3, "forgotten"));
        persistent.dropConnection();
        TestClient clean = broker.connected("clean");
        clean.send(clean.publishPacket("a/b", QoS.EXACTLY_ONCE, false, 4, "ended"));
        clean.dropConnection();

        TestClient again = broker.newClient();
        assertThat(again.connect("pub", true).sessionPresent()).isFalse();
        TestClient cleanAgain = broker.connected("clean");
        again.send(new PubRel(3));
        cleanAgain.send(new PubRel(4));

        assertThat(again.take()).containsExactly(new PubComp(3));
        assertThat(cleanAgain.take()).containsExactly(new PubComp(4));
        assertThat(sub.takePublishes()).isEmpty();
        broker.payloads().assertAllReleased();
    }

    @Test
    void cleanReconnect_startsAFreshSessionWithoutTheOldSubscriptions() {
        offlineSubscriber(QoS.AT_LEAST_ONCE);
        TestClient pub = broker.connected("pub");
        pub.publish("a/b", QoS.AT_LEAST_ONCE, "queued");

        TestClient again = broker.newClient();
        ConnAck ack = again.connect("sub", true);

        assertThat(ack.sessionPresent()).isFalse(); // MQTT-3.2.2-1
        again.expectNothing();
        assertThat(again.onSession(Session::subscriptionCount)).isZero();
        pub.publish("a/b", QoS.AT_LEAST_ONCE, "after");
        again.expectNothing();
        broker.payloads().assertAllReleased();
    }

    @Test
    void cleanSessionThenPersistentReconnect_hasNoSessionPresent() {
        TestClient first = broker.newClient();
        first.connect("sub", true);
        first.subscribe("a/b", QoS.AT_LEAST_ONCE);
        first.dropConnection();

        TestClient again = broker.newClient();
        ConnAck ack = again.connect("sub", false);

        assertThat(ack.sessionPresent()).isFalse();
        assertThat(again.onSession(Session::subscriptionCount)).isZero();
    }

    @Test
    void persistentReconnect_afterDisconnect_keepsTheSession() {
        TestClient first = broker.newClient();
        first.connect("sub", false);
        first.subscribe("a/b", QoS.AT_LEAST_ONCE);
        first.disconnect();

        TestClient again = broker.newClient();
        ConnAck ack = again.connect("sub", false);

        assertThat(ack.sessionPresent()).isTrue();
        assertThat(again.onSession(Session::subscriptionCount)).isEqualTo(1);
    }

    @Test
    void inflightMessagesOfAClientThatWentAway_letGoOfTheReadBufferTheyWereCutFrom() {
        TestClient sub = broker.newClient();
        sub.connect("slow", false);
        sub.subscribe("i/+", QoS.AT_LEAST_ONCE);
        TestClient pub = broker.connected("pub");
        io.netty.buffer.ByteBuf read = io.netty.buffer.Unpooled.directBuffer(65_536).writeZero(65_536);
        for (int i = 0; i < 5; i++) {
            pub.send(new Publish(false, QoS.AT_LEAST_ONCE, false, "i/" + i, i + 1,
                    io.starling.mqtt.codec.Properties.EMPTY, read.retainedSlice(i, 1)));
        }
        read.release(); // what the transport does once the read is cut into packets
        sub.takePublishes().forEach(p -> p.payload().release()); // sent, never acknowledged

        sub.dropConnection();

        assertThat(sub.onSession(Session::inflightCount)).isEqualTo(5);
        assertThat(read.refCnt()).as("references left on the read buffer").isZero();
    }
}
