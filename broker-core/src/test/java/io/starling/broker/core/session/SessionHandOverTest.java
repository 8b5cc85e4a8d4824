package io.starling.broker.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.starling.broker.core.BrokerSettings;
import io.starling.broker.core.DropCounters;
import io.starling.broker.core.routing.Delivery;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.routing.SharedSubscriptions;
import io.starling.broker.core.routing.Subscriber;
import io.starling.broker.core.routing.SubscriberOptions;
import io.starling.broker.core.store.SessionStore;
import io.starling.broker.core.store.StoredState;
import io.starling.broker.core.store.memory.InMemorySessionStore;
import io.starling.broker.core.sys.BrokerCounters;
import io.starling.broker.core.testing.TestLoops;
import io.starling.broker.core.testing.TestLoops.InLoop;
import io.starling.broker.core.time.Clock;
import io.starling.broker.core.topic.SubscriptionTree;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.SubscriptionOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A session handed over to another node and adopted there keeps every part of its state. */
class SessionHandOverTest {
    private static final SubscriberOptions NO_LOCAL_RAP = new SubscriberOptions(
            new SubscriptionOptions(QoS.EXACTLY_ONCE, true, true, 2), 42);
    private static final SubscriberOptions QOS1 = new SubscriberOptions(SubscriptionOptions.of(QoS.AT_LEAST_ONCE), 0);

    private final InLoop loop = TestLoops.start("handover-1");

    @AfterEach
    void tearDown() {
        loop.close();
    }

    private static Session session(String clientId, InLoop loop, SubscriptionTree<Subscriber, SubscriberOptions> tree) {
        return session(clientId, loop, tree, SessionStore.NONE);
    }

    private static Session session(String clientId, InLoop loop, SubscriptionTree<Subscriber, SubscriberOptions> tree,
                                   SessionStore store) {
        SessionContext context = new SessionContext(BrokerSettings.defaults(), new DropCounters(), new BrokerCounters(),
                tree, new SharedSubscriptions(tree), Clock.SYSTEM, store);
        return new Session(clientId, loop.outbox(), context);
    }

    private static Delivery delivery(String payload, QoS qos, List<Integer> ids) {
        Message m = new Message("a/b", qos, false, Unpooled.copiedBuffer(payload, StandardCharsets.UTF_8),
                Properties.EMPTY, "pub", Message.NEVER_EXPIRES);
        return new Delivery(m, qos, false, ids);
    }

    private static int matches(SubscriptionTree<Subscriber, SubscriberOptions> tree, String topic) {
        int[] n = new int[1];
        tree.match(topic, (subscriber, options) -> n[0]++);
        return n[0];
    }

    /** What the adopting session sends when its client attaches. */
    private static final class Recording implements SessionLink {
        final List<String> sent = new ArrayList<>();
        final int receiveMaximum;

        Recording(int receiveMaximum) {
            this.receiveMaximum = receiveMaximum;
        }

        @Override
        public boolean isWritable() {
            return true;
        }

        @Override
        public boolean sendPublish(Delivery d, int packetId, boolean dup) {
            sent.add("PUBLISH " + packetId + (dup ? " dup " : " ") + d.message().payload().toString(StandardCharsets.UTF_8)
                    + " q" + d.qos().value() + " ids" + d.subscriptionIds());
            return true;
        }

        @Override
        public int receiveMaximum() {
            return receiveMaximum;
        }

        @Override
        public void sendPubRel(int packetId) {
            sent.add("PUBREL " + packetId);
        }
    }

    @Test
    void handedOverSession_adoptedElsewhere_keepsSubscriptionsInflightQueueIncomingAndExpiry() {
        SubscriptionTree<Subscriber, SubscriberOptions> treeA = new SubscriptionTree<>();
        SubscriptionTree<Subscriber, SubscriberOptions> treeB = new SubscriptionTree<>();
        Session a = session("c", loop, treeA);
        Session b = session("c", loop, treeB);
        StoredState.RestoredSession[] moved = new StoredState.RestoredSession[1];
        loop.run(() -> {
            a.setExpiryInterval(3600);
            a.subscribe("a/#", NO_LOCAL_RAP);
            a.subscribe("x/+", QOS1);
            a.attach(new Recording(3));
            a.deliver(a.stored(delivery("one", QoS.AT_LEAST_ONCE, List.of(42))));   // inflight, id 1
            a.deliver(a.stored(delivery("two", QoS.EXACTLY_ONCE, List.of(42))));    // inflight, id 2, then PUBREC
            a.deliver(a.stored(delivery("three", QoS.EXACTLY_ONCE, List.of())));    // inflight, id 3
            a.deliver(a.stored(delivery("four", QoS.AT_LEAST_ONCE, List.of(7))));   // queued (window of 3), id 4
            assertThat(a.onPubRec(2, 0)).isEqualTo(Session.PubRecResult.SEND_PUBREL);
            a.detach();
            a.incoming().hold(9, new Message("in/q2", QoS.EXACTLY_ONCE, false,
                    Unpooled.copiedBuffer("held", StandardCharsets.UTF_8), Properties.EMPTY, "c", Message.NEVER_EXPIRES));

            moved[0] = a.handOver();

            assertThat(a.inflightCount()).isZero();
            assertThat(a.queuedCount()).isZero();
            assertThat(a.incomingQos2Count()).isZero();
            a.end();
            assertThat(matches(treeA, "a/b")).isZero();
        });
        StoredState.RestoredSession state = moved[0];
        assertThat(state.header().expiryIntervalSeconds()).isEqualTo(3600);
        assertThat(state.header().lastPacketId()).isEqualTo(4);
        assertThat(state.subscriptions()).isEqualTo(Map.of("a/#", NO_LOCAL_RAP, "x/+", QOS1));
        assertThat(state.outgoing()).extracting(StoredState.Outgoing::packetId).containsExactly(1, 2, 3, 0);
        assertThat(state.outgoing().get(1).delivery()).isNull(); // past PUBREC: awaits PUBCOMP

        Recording link = new Recording(10);
        loop.run(() -> {
            b.adopt(state);
            assertThat(b.expiryInterval()).isEqualTo(3600);
            assertThat(b.subscriptionFilters()).containsExactlyInAnyOrder("a/#", "x/+");
            assertThat(matches(treeB, "a/b")).isEqualTo(1);
            assertThat(b.incomingQos2Count()).isEqualTo(1);
            assertThat(b.incoming().get(9).topic()).isEqualTo("in/q2");
            b.attach(link);
        });

        assertThat(link.sent).containsExactly(
                "PUBLISH 1 dup one q1 ids[42]",
                "PUBREL 2",
                "PUBLISH 3 dup three q2 ids[]",
                "PUBLISH 4 four q1 ids[7]");
        loop.run(() -> {
            assertThat(b.onPubAck(1)).isTrue();
            assertThat(b.onPubComp(2)).isTrue();
            Delivery next = b.stored(delivery("five", QoS.AT_LEAST_ONCE, List.of()));
            next.message().release();
            assertThat(next.packetId()).isEqualTo(5); // the packet id counter moved too
            b.end();
        });
    }

    @Test
    void adoptedSession_isWrittenToThisNodesStore_withItsMessagesIdsAndStages() {
        InMemorySessionStore store = new InMemorySessionStore(Clock.SYSTEM);
        Session a = session("c", loop, new SubscriptionTree<>());
        Session b = session("c", loop, new SubscriptionTree<>(), store);
        loop.run(() -> {
            a.setExpiryInterval(60);
            a.subscribe("a/#", NO_LOCAL_RAP);
            a.attach(new Recording(2));
            a.deliver(a.stored(delivery("one", QoS.AT_LEAST_ONCE, List.of())));
            a.deliver(a.stored(delivery("two", QoS.EXACTLY_ONCE, List.of())));
            a.deliver(a.stored(delivery("three", QoS.AT_LEAST_ONCE, List.of())));
            a.onPubRec(2, 0);
            a.detach();
            a.incoming().hold(9, new Message("in", QoS.EXACTLY_ONCE, false,
                    Unpooled.copiedBuffer("held", StandardCharsets.UTF_8), Properties.EMPTY, "c", Message.NEVER_EXPIRES));
            StoredState.RestoredSession moved = a.handOver();
            a.end();

            b.adopt(moved);
            b.saveHeader(false);
        });

        StoredState loaded = store.load();
        try {
            StoredState.RestoredSession s = loaded.sessions().get(0);
            assertThat(s.header().expiryIntervalSeconds()).isEqualTo(60);
            assertThat(s.subscriptions()).isEqualTo(Map.of("a/#", NO_LOCAL_RAP));
            assertThat(s.outgoing()).extracting(StoredState.Outgoing::packetId).containsExactly(1, 2, 0);
            assertThat(s.outgoing().get(1).delivery()).isNull();
            assertThat(s.outgoing().get(2).delivery().packetId()).isEqualTo(3);
            assertThat(s.incomingQos2()).containsOnlyKeys(9);
        } finally {
            loaded.sessions().forEach(StoredState.RestoredSession::release);
            loop.run(b::end);
        }
    }

    @Test
    void queuedMessageOfASharedSubscription_adoptedElsewhere_goesToAnotherMemberThereWhenTheSessionEnds() {
        SubscriptionTree<Subscriber, SubscriberOptions> tree = new SubscriptionTree<>();
        SessionContext context = new SessionContext(BrokerSettings.defaults(), new DropCounters(), new BrokerCounters(),
                tree, new SharedSubscriptions(tree), Clock.SYSTEM, SessionStore.NONE);
        Session other = new Session("other", loop.outbox(), context);
        Session moved = new Session("c", loop.outbox(), context);
        Recording otherLink = new Recording(10);
        Delivery queued = delivery("four", QoS.AT_LEAST_ONCE, List.of());
        // As a state read from another node (or a store) has it: the group by name, no group object.
        StoredState.RestoredSession state = new StoredState.RestoredSession(
                new io.starling.broker.core.store.StoredSession("c", null, 3600, 0, 0, 4),
                Map.of("$share/g/a/+", QOS1),
                List.of(new StoredState.Outgoing(0, queued.withPacketId(4), 0, "$share/g/a/+")), Map.of(), null, 0);
        loop.run(() -> {
            other.subscribe("$share/g/a/+", QOS1);
            other.attach(otherLink);
            moved.adopt(state);
            assertThat(moved.queuedCount()).isEqualTo(1);

            moved.end(); // never attached here: its client came back with Clean Start, say
        });
        loop.run(() -> { }); // the hand-on is queued on the member's loop

        assertThat(otherLink.sent).containsExactly("PUBLISH 1 four q1 ids[]");
        loop.run(other::end);
    }
}
