package io.starling.broker.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.broker.core.testing.TestLoops.InLoop;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.SubAck;
import io.starling.mqtt.codec.Subscribe;
import io.starling.mqtt.codec.Subscription;
import io.starling.mqtt.codec.SubscriptionOptions;
import io.starling.mqtt.codec.Will;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A second connection with the same client id takes the session over (MQTT-3.1.4-2). */
class SessionTakeoverTest {
    private final TestBroker broker = TestBroker.start();

    @AfterEach
    void tearDown() {
        broker.close();
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String text(Publish p) {
        return p.payload().toString(StandardCharsets.UTF_8);
    }

    @Test
    void secondConnectionWithTheSameId_closesTheFirst() {
        TestClient first = broker.connected("c");

        TestClient second = broker.newClient();
        ConnAck ack = second.connect("c", true);

        assertThat(first.isClosed()).isTrue();
        assertThat(ack.reasonCode()).isZero();
        assertThat(second.isClosed()).isFalse();
        assertThat(broker.core().sessions().size()).isEqualTo(1);
        assertThat(second.onSession(Session::link)).isSameAs(second.client());
    }

    @Test
    void persistentSession_continuesOnTheNewConnection() {
        TestClient first = broker.newClient();
        first.connect("c", false);
        first.subscribe("a/b", QoS.AT_LEAST_ONCE);
        TestClient pub = broker.connected("pub");
        pub.publish("a/b", QoS.AT_LEAST_ONCE, "unacked");
        first.take();

        TestClient second = broker.newClient();
        ConnAck ack = second.connect("c", false);

        assertThat(first.isClosed()).isTrue();
        assertThat(ack.sessionPresent()).isTrue();
        List<Publish> resent = second.takePublishes();
        assertThat(resent).extracting(SessionTakeoverTest::text).containsExactly("unacked");
        assertThat(resent.get(0).dup()).isTrue();
        second.ack(resent.get(0));
        pub.publish("a/b", QoS.AT_LEAST_ONCE, "next");
        assertThat(second.takePublishes()).extracting(SessionTakeoverTest::text).containsExactly("next");
        first.expectNothing();
    }

    @Test
    void takeoverOfACleanSession_doesNotCarryItsStateIntoAPersistentOne() {
        TestClient first = broker.connected("c"); // clean session
        first.subscribe("a/b", QoS.AT_LEAST_ONCE);

        TestClient second = broker.newClient();
        ConnAck ack = second.connect("c", false);

        assertThat(ack.sessionPresent()).isFalse(); // MQTT-3.1.2-6: the clean session ended with its connection
        assertThat(second.onSession(Session::subscriptionCount)).isZero();
        TestClient pub = broker.connected("pub");
        pub.publish("a/b", QoS.AT_LEAST_ONCE, "x");
        second.expectNothing();
    }

    @Test
    void takeover_publishesTheOldConnectionsWill() {
        TestClient watcher = broker.connected("watcher");
        watcher.subscribe("will/c", QoS.AT_MOST_ONCE);
        TestClient first = broker.newClient();
        first.connect(TestClient.connectPacket("c", true,
                new Will("will/c", "gone".getBytes(StandardCharsets.UTF_8), QoS.AT_MOST_ONCE, false, Properties.EMPTY)));

        broker.newClient().connect("c", true);

        assertThat(watcher.takePublishes()).extracting(SessionTakeoverTest::text).containsExactly("gone");
    }

    @Test
    void takeoverAcrossLoops_movesTheSessionToTheNewLoop() {
        InLoop other = broker.newLoop();
        TestClient first = broker.newClient();
        first.connect("c", false);
        first.subscribe("a/b", QoS.AT_LEAST_ONCE);

        TestClient second = broker.newClient(other);
        second.send(TestClient.connectPacket("c", false, null));
        broker.drain();

        assertThat(first.isClosed()).isTrue();
        ConnAck ack = second.expect(ConnAck.class);
        assertThat(ack.sessionPresent()).isTrue();
        Session s = broker.core().sessions().get("c");
        assertThat(s.owner()).isSameAs(other.outbox());
        assertThat(second.onSession(Session::link)).isSameAs(second.client());
        assertThat(second.connection().isReading()).isTrue();

        // A publisher on the first loop now reaches the session through the other loop's outbox.
        TestClient pub = broker.connected("pub");
        pub.publish("a/b", QoS.AT_LEAST_ONCE, "across");
        broker.drain();
        List<Publish> got = second.takePublishes();
        assertThat(got).extracting(SessionTakeoverTest::text).containsExactly("across");
        assertThat(second.connection().unflushedCount()).isZero();
        second.ack(got.get(0));
        assertThat(other.call(s::inflightCount)).isZero();
        first.expectNothing();
    }

    @Test
    void takeoverAcrossLoops_carriesQueuedAndInflightMessages() {
        InLoop other = broker.newLoop();
        TestClient first = broker.newClient();
        first.connect("c", false);
        first.subscribe("a/b", QoS.AT_LEAST_ONCE);
        TestClient pub = broker.connected("pub");
        pub.publish("a/b", QoS.AT_LEAST_ONCE, "inflight");
        first.dropConnection();
        pub.publish("a/b", QoS.AT_LEAST_ONCE, "queued");

        TestClient second = broker.newClient(other);
        second.send(TestClient.connectPacket("c", false, null));
        broker.drain();

        assertThat(second.expect(ConnAck.class).sessionPresent()).isTrue();
        List<Publish> got = second.takePublishes();
        assertThat(got).extracting(SessionTakeoverTest::text).containsExactly("inflight", "queued");
        assertThat(got).extracting(Publish::dup).containsExactly(true, false);
    }

    @Test
    void packetsReadWhileATakeoverIsUnderWay_areHandledOnceConnected() {
        InLoop other = broker.newLoop();
        TestClient first = broker.newClient();
        first.connect("c", false);

        TestClient second = broker.newClient(other);
        second.send(TestClient.connectPacket("c", false, null),
                new Subscribe(1, List.of(new Subscription("a/b", SubscriptionOptions.of(QoS.AT_LEAST_ONCE))),
                        Properties.EMPTY));
        broker.drain();

        assertThat(second.expect(ConnAck.class).sessionPresent()).isTrue();
        assertThat(second.expect(SubAck.class).reasonCodes()).containsExactly(1);
        TestClient pub = broker.connected("pub");
        pub.publish("a/b", QoS.AT_MOST_ONCE, "x");
        broker.drain();
        assertThat(second.takePublishes()).hasSize(1);
    }

    @Test
    void newConnectionLostDuringACrossLoopTakeover_leavesNoCleanSessionBehind() {
        InLoop other = broker.newLoop();
        TestClient first = broker.connected("c");

        TestClient second = broker.newClient(other);
        CountDownLatch hold = new CountDownLatch(1);
        broker.loop().executor().execute(() -> awaitUninterruptibly(hold)); // the takeover waits...
        other.run(() -> {
            second.client().onPacket(TestClient.connectPacket("c", true, null));
            second.connection().close(); // ...until the new connection is gone
        });
        hold.countDown();
        broker.drain();

        assertThat(first.isClosed()).isTrue();
        second.expectNothing();
        assertThat(broker.core().sessions().get("c")).isNull();
    }

    @Test
    void manyTakeoversAcrossLoops_leaveOneSessionOwnedByTheLastConnection() {
        InLoop other = broker.newLoop();
        TestClient last = null;
        for (int i = 0; i < 6; i++) {
            TestClient c = broker.newClient(i % 2 == 0 ? broker.loop() : other);
            c.send(TestClient.connectPacket("c", false, null));
            broker.drain();
            last = c;
        }

        Session s = broker.core().sessions().get("c");
        assertThat(broker.core().sessions().size()).isEqualTo(1);
        assertThat(last.onSession(Session::link)).isSameAs(last.client());
        assertThat(s.owner()).isSameAs(last.loop().outbox());
        assertThat(last.isClosed()).isFalse();
    }
}
