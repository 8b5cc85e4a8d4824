package io.starling.broker.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.BrokerSettings;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.store.SessionStore;
import io.starling.broker.core.store.StoredState;
import io.starling.broker.core.store.memory.InMemorySessionStore;
import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.broker.core.time.Clock;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Packet;
import io.starling.mqtt.codec.PacketType;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PubAck;
import io.starling.mqtt.codec.PubComp;
import io.starling.mqtt.codec.PubRec;
import io.starling.mqtt.codec.PubRel;
import io.starling.mqtt.codec.ReasonCode;
import io.starling.mqtt.codec.SubAck;
import io.starling.mqtt.codec.Subscribe;
import io.starling.mqtt.codec.Subscription;
import io.starling.mqtt.codec.SubscriptionOptions;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the core tells a durable {@link SessionStore}, and when it acknowledges: only sessions that
 * outlive their connection are written, and a PUBACK/PUBREC waits until the store is durable.
 */
class DurableSessionTest {
    private final InMemorySessionStore memory = new InMemorySessionStore(Clock.SYSTEM);
    /** The store's syncs are in the test's hands: tasks wait in {@link #waiting} until {@link #sync}. */
    private final List<Runnable> waiting = java.util.Collections.synchronizedList(new ArrayList<>());
    private final SessionStore store = heldBack(memory);
    /** Whether syncs wait for {@link #sync}: set once a test has connected and subscribed its clients. */
    private volatile boolean holding;
    /** Whether the store answers "not durable" (a full disk). */
    private volatile boolean diskFails;
    private TestBroker broker;

    @AfterEach
    void tearDown() {
        sync();
        broker.close();
    }

    private TestBroker start(BrokerSettings settings) {
        broker = TestBroker.start(settings, store);
        return broker;
    }

    private void sync() {
        List<Runnable> tasks = new ArrayList<>(waiting);
        waiting.clear();
        tasks.forEach(Runnable::run);
        if (broker != null) {
            broker.drain();
        }
    }

    private TestClient offlineSubscriber(String clientId, QoS qos) {
        TestClient first = broker.newClient();
        first.connect(clientId, false);
        first.subscribe("a/b", qos);
        first.dropConnection();
        return first;
    }

    @Test
    void puback_isSentOnlyOnceTheStoreIsDurable() {
        start(BrokerSettings.defaults());
        offlineSubscriber("sub", QoS.AT_LEAST_ONCE);
        TestClient pub = broker.connected("pub");
        holding = true;

        int id = pub.publish("a/b", QoS.AT_LEAST_ONCE, "kept");
        pub.expectNothing();
        assertThat(memory.messageCount()).as("stored before the ack").isEqualTo(1);

        sync();
        assertThat(pub.expect(PubAck.class).packetId()).isEqualTo(id);
    }

    @Test
    void pubrec_waitsForTheStoreToo_andAcksKeepTheirOrder() {
        start(BrokerSettings.defaults());
        offlineSubscriber("sub", QoS.EXACTLY_ONCE);
        TestClient pub = broker.connected("pub");
        holding = true;

        int first = pub.publish("a/b", QoS.EXACTLY_ONCE, "one");
        int second = pub.publish("a/b", QoS.AT_LEAST_ONCE, "two");
        pub.expectNothing();

        sync();
        assertThat(pub.expect(PubRec.class).packetId()).isEqualTo(first);
        assertThat(pub.expect(PubAck.class).packetId()).isEqualTo(second);
    }

    @Test
    void incomingQos2OfAStoredSession_isStoredBeforeItsPubRec_andForgottenWhenItsPubRelPassesItOn() {
        start(BrokerSettings.defaults());
        offlineSubscriber("sub", QoS.AT_LEAST_ONCE);
        TestClient pub = broker.newClient();
        pub.connect("pub", false);
        holding = true;

        int id = pub.publish("a/b", QoS.EXACTLY_ONCE, "held");
        pub.expectNothing();
        assertThat(loadedIncomingQos2("pub")).as("stored before the PUBREC").isEqualTo(java.util.Map.of(id, "held"));
        sync();
        assertThat(pub.expect(PubRec.class).packetId()).isEqualTo(id);
        assertThat(memory.messageCount()).as("not passed on yet").isZero();

        pub.send(new PubRel(id));
        pub.expectNothing();
        assertThat(loadedIncomingQos2("pub")).isEmpty();
        assertThat(memory.messageCount()).as("queued for the offline subscriber before the PUBCOMP").isOne();
        sync();
        assertThat(pub.expect(PubComp.class).packetId()).isEqualTo(id);
    }

    @Test
    void everyStateReport_waitsForTheStore() {
        start(BrokerSettings.defaults());
        TestClient pub = broker.connected("pub");
        holding = true;
        TestClient sub = broker.newClient();

        sub.send(TestClient.connectPacket("sub", false, null));
        sub.expectNothing();
        sync();
        assertThat(sub.expect(ConnAck.class).sessionPresent()).isFalse();

        sub.send(new Subscribe(1, List.of(new Subscription("a/b", SubscriptionOptions.of(QoS.EXACTLY_ONCE))),
                Properties.EMPTY));
        sub.expectNothing();
        sync();
        sub.expect(SubAck.class);

        pub.publishAndRelease("a/b", QoS.EXACTLY_ONCE, "out");
        sync();
        Publish out = sub.expect(Publish.class);
        sub.send(new PubRec(out.packetId()));
        sub.expectNothing(); // PUBREL: the message is let go only once that is on disk
        sync();
        assertThat(sub.expect(PubRel.class).packetId()).isEqualTo(out.packetId());
        sub.send(new PubComp(out.packetId()));

        int in = sub.publish("c/d", QoS.EXACTLY_ONCE, "in");
        sync();
        sub.expect(PubRec.class);
        sub.send(new PubRel(in));
        sub.expectNothing(); // PUBCOMP: the flow's end is on disk first
        sync();
        assertThat(sub.expect(PubComp.class).packetId()).isEqualTo(in);
    }

    @Test
    void takeoverWhileTheFirstConnackWaitsForTheStore_closesTheFirstAfterItsConnack_andTheSecondGetsTheSession() {
        start(BrokerSettings.defaults());
        holding = true;
        TestClient first = broker.newClient();
        first.send(TestClient.connectPacket("twice", false, null));
        first.expectNothing();

        TestClient second = broker.newClient();
        second.send(TestClient.connectPacket("twice", false, null));
        sync();

        // As from mosquitto, which answered the first CONNECT before it read the second.
        assertThat(first.expect(ConnAck.class).reasonCode()).isZero();
        assertThat(first.isClosed()).isTrue();
        assertThat(second.expect(ConnAck.class).reasonCode()).isZero();
        assertThat(broker.core().sessions().get("twice").link()).isSameAs(second.client());
    }

    @Test
    void publishBehindTheConnectOfAStoredSession_takesEffectAtOnce_andItsPubackFollowsTheConnack() {
        start(BrokerSettings.defaults());
        TestClient reader = broker.connected("reader");
        holding = true;
        TestClient writer = broker.newClient();

        writer.send(TestClient.connectPacket("writer", false, null),
                writer.publishPacket("kept/x", QoS.AT_LEAST_ONCE, true, 7, "early"));
        writer.expectNothing(); // the CONNACK waits for the session to be on disk, and all else behind it
        reader.send(new Subscribe(1, List.of(new Subscription("kept/x", SubscriptionOptions.of(QoS.AT_MOST_ONCE))),
                Properties.EMPTY)); // later than the PUBLISH: it finds the message retained, not routed live

        sync();
        List<Packet> read = reader.take();
        assertThat(read).extracting(Packet::type).containsExactly(PacketType.SUBACK, PacketType.PUBLISH);
        assertThat(((Publish) read.get(1)).retain()).as("sent as a retained message").isTrue();
        List<Packet> got = writer.take();
        assertThat(got).extracting(Packet::type).containsExactly(PacketType.CONNACK, PacketType.PUBACK);
        assertThat(((PubAck) got.get(1)).packetId()).isEqualTo(7);
    }

    @Test
    void subscribeBehindTheConnectOfAStoredSession_takesEffectAtOnce_andWhatItGetsFollowsTheConnackAndSuback() {
        start(BrokerSettings.defaults());
        TestClient pub = broker.connected("pub");
        holding = true;
        TestClient sub = broker.newClient();

        sub.send(TestClient.connectPacket("sub", false, null),
                new Subscribe(1, List.of(new Subscription("a/b", SubscriptionOptions.of(QoS.AT_MOST_ONCE))), Properties.EMPTY));
        pub.publish("a/b", QoS.AT_MOST_ONCE, "after"); // later than the SUBSCRIBE: it is routed to it
        sub.expectNothing();

        sync();
        assertThat(sub.take()).extracting(Packet::type)
                .containsExactly(PacketType.CONNACK, PacketType.SUBACK, PacketType.PUBLISH);
    }

    @Test
    void deliveriesHeldBehindAWaitingConnack_areBounded_andWhatDoesNotFitIsCountedAsDropped() {
        start(BrokerSettings.defaults());
        TestClient pub = broker.connected("pub");
        holding = true;
        TestClient sub = broker.newClient();
        sub.send(TestClient.connectPacket("sub", false, null),
                new Subscribe(1, List.of(new Subscription("a/b", SubscriptionOptions.of(QoS.AT_MOST_ONCE))), Properties.EMPTY));
        String kib = "x".repeat(1024);
        int sent = 3000; // about 3 MiB, while the store has not answered
        for (int i = 0; i < sent; i++) {
            pub.publish("a/b", QoS.AT_MOST_ONCE, kib);
        }
        sub.expectNothing();

        sync();
        List<Packet> got = sub.take();
        assertThat(got).extracting(Packet::type).startsWith(PacketType.CONNACK, PacketType.SUBACK);
        long delivered = got.stream().filter(p -> p.type() == PacketType.PUBLISH).count();
        assertThat(delivered).as("held behind the CONNACK: about 1 MiB, not all 3 MiB")
                .isBetween(100L, 1025L); // HeldOutput.MAX_HELD_BYTES
        assertThat(broker.core().drops().notWritable.sum()).isEqualTo(sent - delivered);
    }

    @Test
    void storedSessionWhoseConnackCannotBeStored_isRefused_withNothingSentBefore() {
        start(BrokerSettings.defaults());
        holding = true;
        diskFails = true;
        TestClient client = broker.newClient();
        client.send(TestClient.connectPacket("full", false, null),
                new Subscribe(1, List.of(new Subscription("a/b", SubscriptionOptions.of(QoS.AT_LEAST_ONCE))), Properties.EMPTY),
                new io.starling.mqtt.codec.PingReq());
        client.expectNothing();

        sync();
        List<Packet> got = client.take();
        assertThat(got).extracting(Packet::type).containsExactly(PacketType.CONNACK);
        assertThat(((ConnAck) got.get(0)).reasonCode()).isEqualTo(ReasonCode.V3_SERVER_UNAVAILABLE);
        assertThat(client.isClosed()).isTrue();
        assertThat(broker.core().sessions().get("full").isOnline()).isFalse();
    }

    @Test
    void storeFailure_v5PublisherGetsReasonCode0x80_v311PublisherGetsNoAck() {
        start(BrokerSettings.defaults());
        offlineSubscriber("sub", QoS.AT_LEAST_ONCE);
        TestClient v5 = broker.newClient();
        v5.connect(new Connect(MqttVersion.MQTT_5, "v5", true, 60, null, null, null, Properties.EMPTY));
        TestClient v3 = broker.connected("v3");
        diskFails = true;

        int id5 = v5.publish("a/b", QoS.AT_LEAST_ONCE, "lost");
        PubAck ack = v5.expect(PubAck.class);
        assertThat(ack.packetId()).isEqualTo(id5);
        assertThat(ack.reasonCode()).isEqualTo(ReasonCode.UNSPECIFIED_ERROR);
        int id2 = v5.publish("a/b", QoS.EXACTLY_ONCE, "lost too");
        assertThat(v5.expect(PubRec.class).reasonCode()).isEqualTo(ReasonCode.UNSPECIFIED_ERROR);
        assertThat(v5.onSession(Session::incomingQos2Count)).as("the refused flow %d ended", id2).isZero();

        v3.publish("a/b", QoS.AT_LEAST_ONCE, "lost");
        v3.expectNothing(); // 3.1.1 has no negative PUBACK: the client sends again
        assertThat(v3.isClosed()).isFalse();
        assertThat(broker.core().drops().notDurable.sum()).isEqualTo(3);
    }

    @Test
    void acknowledgedDelivery_isDeletedFromTheStore() {
        start(BrokerSettings.defaults());
        offlineSubscriber("sub", QoS.AT_LEAST_ONCE);
        TestClient pub = broker.connected("pub");
        pub.publish("a/b", QoS.AT_LEAST_ONCE, "kept");
        sync();

        TestClient again = broker.newClient();
        again.connect("sub", false);
        Publish p = again.takePublishes().get(0);
        assertThat(memory.messageCount()).isEqualTo(1);
        again.ack(p);
        p.release();

        assertThat(memory.messageCount()).isZero();
    }

    @Test
    void messageForManySessions_isStoredOnce() {
        start(BrokerSettings.defaults());
        offlineSubscriber("s1", QoS.AT_LEAST_ONCE);
        offlineSubscriber("s2", QoS.AT_LEAST_ONCE);
        offlineSubscriber("s3", QoS.EXACTLY_ONCE);
        broker.connected("pub").publish("a/b", QoS.AT_LEAST_ONCE, "shared");

        assertThat(memory.messageCount()).isEqualTo(1);
        assertThat(loadedQueueSizes()).containsExactlyInAnyOrder(1, 1, 1);
    }

    @Test
    void queueFull_droppedDeliveryLeavesTheStoreToo() {
        start(BrokerSettings.defaults().toBuilder().maxQueuedMessages(2).build());
        offlineSubscriber("sub", QoS.AT_LEAST_ONCE);
        TestClient pub = broker.connected("pub");
        for (int i = 0; i < 5; i++) {
            pub.publish("a/b", QoS.AT_LEAST_ONCE, "m" + i);
        }
        broker.drain();

        assertThat(loadedQueueSizes()).containsExactly(2);
        assertThat(memory.messageCount()).isEqualTo(2);
    }

    @Test
    void cleanSessions_neverReachTheStore() {
        start(BrokerSettings.defaults());
        TestClient sub = broker.connected("clean-sub");
        sub.subscribe("a/b", QoS.AT_LEAST_ONCE);
        broker.connected("pub").publish("a/b", QoS.AT_LEAST_ONCE, "passing");
        sub.takePublishes().forEach(Publish::release);

        assertThat(loadedQueueSizes()).isEmpty();
        assertThat(memory.messageCount()).isZero();
    }

    @Test
    void cleanStartOverAPersistentSession_deletesItFromTheStore() {
        start(BrokerSettings.defaults());
        offlineSubscriber("sub", QoS.AT_LEAST_ONCE);
        broker.connected("pub").publish("a/b", QoS.AT_LEAST_ONCE, "old");

        TestClient clean = broker.newClient();
        clean.connect("sub", true);

        assertThat(loadedQueueSizes()).isEmpty();
        assertThat(memory.messageCount()).isZero();
    }

    /** The queue length of every stored session, as a restart would read them. */
    private List<Integer> loadedQueueSizes() {
        StoredState state = memory.load();
        List<Integer> sizes = new ArrayList<>();
        for (StoredState.RestoredSession s : state.sessions()) {
            sizes.add(s.outgoing().size());
            s.outgoing().forEach(o -> {
                if (o.delivery() != null) {
                    o.delivery().message().release();
                }
            });
            if (s.will() != null) {
                s.will().release();
            }
            s.incomingQos2().values().forEach(Message::release);
        }
        state.retained().forEach(Message::release);
        return sizes;
    }

    /** The incoming QoS 2 messages awaiting PUBREL that a restart would read for {@code clientId}: id to payload. */
    private java.util.Map<Integer, String> loadedIncomingQos2(String clientId) {
        StoredState state = memory.load();
        java.util.Map<Integer, String> held = new java.util.HashMap<>();
        for (StoredState.RestoredSession s : state.sessions()) {
            if (s.header().clientId().equals(clientId)) {
                s.incomingQos2().forEach((id, m) -> held.put(id, m.payload().toString(java.nio.charset.StandardCharsets.UTF_8)));
            }
        }
        releaseAll(state);
        return held;
    }

    private static void releaseAll(StoredState state) {
        for (StoredState.RestoredSession s : state.sessions()) {
            s.outgoing().forEach(o -> {
                if (o.delivery() != null) {
                    o.delivery().message().release();
                }
            });
            if (s.will() != null) {
                s.will().release();
            }
            s.incomingQos2().values().forEach(Message::release);
        }
        state.retained().forEach(Message::release);
    }

    /** {@code target}, except that {@link SessionStore#afterDurable} waits for {@link #sync}. */
    private SessionStore heldBack(SessionStore target) {
        return (SessionStore) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {SessionStore.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("afterDurable")) {
                        Executor executor = (Executor) args[0];
                        Object task = args[1];
                        Runnable run = () -> executor.execute(task instanceof SessionStore.Commit c
                                ? () -> c.done(!diskFails) : (Runnable) task);
                        if (holding) {
                            waiting.add(run);
                        } else {
                            run.run();
                        }
                        return null;
                    }
                    try {
                        return method.invoke(target, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
