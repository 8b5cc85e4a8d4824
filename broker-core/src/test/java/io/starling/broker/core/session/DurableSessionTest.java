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
import io.starling.mqtt.codec.PubAck;
import io.starling.mqtt.codec.PubRec;
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

        int first = pub.publish("a/b", QoS.EXACTLY_ONCE, "one");
        int second = pub.publish("a/b", QoS.AT_LEAST_ONCE, "two");
        pub.expectNothing();

        sync();
        assertThat(pub.expect(PubRec.class).packetId()).isEqualTo(first);
        assertThat(pub.expect(PubAck.class).packetId()).isEqualTo(second);
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
        }
        state.retained().forEach(Message::release);
        return sizes;
    }

    /** {@code target}, except that {@link SessionStore#afterDurable} waits for {@link #sync}. */
    private SessionStore heldBack(SessionStore target) {
        return (SessionStore) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {SessionStore.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("afterDurable")) {
                        Executor executor = (Executor) args[0];
                        Runnable task = (Runnable) args[1];
                        waiting.add(() -> executor.execute(task));
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
