package io.starling.broker.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.BrokerSettings;
import io.starling.broker.core.DropCounters;
import io.starling.broker.core.routing.Delivery;
import io.starling.broker.core.routing.SharedSubscriptions;
import io.starling.broker.core.routing.Subscriber;
import io.starling.broker.core.routing.SubscriberOptions;
import io.starling.broker.core.store.SessionStore;
import io.starling.broker.core.store.StoredState;
import io.starling.broker.core.store.memory.InMemorySessionStore;
import io.starling.broker.core.sys.BrokerCounters;
import io.starling.broker.core.sys.Counter;
import io.starling.broker.core.testing.TestLoops;
import io.starling.broker.core.testing.TestLoops.InLoop;
import io.starling.broker.core.time.Clock;
import io.starling.broker.core.topic.SubscriptionTree;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.SubscriptionOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A session before it has subscribed, queued or timed anything: it holds none of that state yet
 * (issue 8), so every read must see "none" and the first write must start from there.
 */
class SessionTest {
    private static final SubscriberOptions QOS1 = new SubscriberOptions(SubscriptionOptions.of(QoS.AT_LEAST_ONCE), 0);

    private final SubscriptionTree<Subscriber, SubscriberOptions> tree = new SubscriptionTree<>();
    private final BrokerCounters counters = new BrokerCounters();
    private final InLoop loop = TestLoops.start("session-1");

    @AfterEach
    void tearDown() {
        loop.close();
    }

    private Session session(String clientId, SessionStore store) {
        SessionContext context = new SessionContext(BrokerSettings.defaults(), new DropCounters(), counters, tree,
                new SharedSubscriptions(tree), Clock.SYSTEM, store);
        return new Session(clientId, loop.outbox(), context);
    }

    /** Counts what the session sends; a session with nothing inflight or queued sends nothing. */
    private static final class CountingLink implements SessionLink {
        final AtomicInteger sent = new AtomicInteger();

        @Override
        public boolean isWritable() {
            return true;
        }

        @Override
        public boolean sendPublish(Delivery delivery, int packetId, boolean dup) {
            sent.incrementAndGet();
            return true;
        }

        @Override
        public int receiveMaximum() {
            return 65535;
        }

        @Override
        public void sendPubRel(int packetId) {
            sent.incrementAndGet();
        }
    }

    @Test
    void newSession_listsNoSubscriptionsAndHoldsNoMessages() {
        Session s = session("c", SessionStore.NONE);

        loop.run(() -> {
            assertThat(s.subscriptionFilters()).isEmpty();
            assertThat(s.subscriptionCount()).isZero();
            assertThat(s.inflightCount()).isZero();
            assertThat(s.queuedCount()).isZero();
            assertThat(s.incomingQos2Count()).isZero();
            assertThat(s.onPubAck(1)).isFalse();
            assertThat(s.onPubRec(1, 0)).isEqualTo(Session.PubRecResult.UNKNOWN_ID);
            assertThat(s.onPubComp(1)).isFalse();
            assertThat(s.incoming().take(1)).isNull();
        });
    }

    @Test
    void unsubscribe_beforeAnySubscribe_findsNothingAndLeavesTheGaugeAlone() {
        Session s = session("c", SessionStore.NONE);

        boolean removed = loop.call(() -> s.unsubscribe("a/b"));

        assertThat(removed).isFalse();
        assertThat(loop.call(s::subscriptionFilters)).isEmpty();
        assertThat(counters.sum(Counter.SUBSCRIPTIONS)).isZero();
    }

    @Test
    void clear_forgetsEverySubscription_andLaterOnesAreKeptAndCountedAgain() {
        Session s = session("c", SessionStore.NONE);
        loop.run(() -> {
            s.subscribe("a", QOS1);
            s.subscribe("$share/g/b", QOS1);
        });
        assertThat(counters.sum(Counter.SUBSCRIPTIONS, Counter.SHARED_SUBSCRIPTIONS)).isEqualTo(2);

        loop.run(s::clear);

        assertThat(loop.call(s::subscriptionCount)).isZero();
        assertThat(counters.sum(Counter.SUBSCRIPTIONS, Counter.SHARED_SUBSCRIPTIONS)).isZero();
        List<Subscriber> matching = new ArrayList<>();
        tree.match("a", (subscriber, options) -> matching.add(subscriber));
        assertThat(matching).isEmpty();
        loop.run(() -> s.subscribe("c", QOS1));
        assertThat(loop.call(s::subscriptionFilters)).containsExactly("c");
        assertThat(counters.sum(Counter.SUBSCRIPTIONS)).isOne();
        loop.run(s::end);
        assertThat(counters.sum(Counter.SUBSCRIPTIONS)).isZero();
    }

    @Test
    void attachAndEnd_ofASessionThatNeverHeldAnything_sendNothing() {
        Session s = session("c", SessionStore.NONE);
        CountingLink link = new CountingLink();

        loop.run(() -> {
            s.attach(link);
            s.firePendingWill(); // no delayed will: nothing to publish
            s.detach();
            s.end();
        });

        assertThat(link.sent).hasValue(0);
        assertThat(s.isEnded()).isTrue();
    }

    @Test
    void persistentSessionWithoutSubscriptions_isStoredWithNone() {
        InMemorySessionStore store = new InMemorySessionStore(Clock.SYSTEM);
        Session s = session("c", store);

        loop.run(() -> {
            s.setExpiryInterval(60);
            s.saveHeader(true);
        });

        StoredState state = store.load();
        assertThat(state.sessions()).hasSize(1);
        assertThat(state.sessions().get(0).header().clientId()).isEqualTo("c");
        assertThat(state.sessions().get(0).subscriptions()).isEmpty();
        loop.run(s::end);
        assertThat(store.load().sessions()).isEmpty();
        store.close();
    }
}
