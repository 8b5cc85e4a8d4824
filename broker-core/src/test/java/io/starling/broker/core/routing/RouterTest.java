package io.starling.broker.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.starling.broker.core.BrokerSettings;
import io.starling.broker.core.DropCounters;
import io.starling.broker.core.session.Session;
import io.starling.broker.core.session.SessionLink;
import io.starling.broker.core.testing.Payloads;
import io.starling.broker.core.testing.TestLoops;
import io.starling.broker.core.testing.TestLoops.InLoop;
import io.starling.broker.core.topic.SubscriptionTree;
import io.starling.broker.core.topic.TopicFilter;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.SubscriptionOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import io.starling.broker.core.session.SessionContext;
import io.starling.broker.core.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Fan-out of one message to the sessions whose subscriptions match it. */
class RouterTest {
    private final SubscriptionTree<Subscriber, SubscriberOptions> tree = new SubscriptionTree<>();
    private final Router router = new Router(tree);
    private final DropCounters drops = new DropCounters();
    private final SessionContext context = new SessionContext(BrokerSettings.defaults(), drops, new io.starling.broker.core.sys.BrokerCounters(), tree,
            new SharedSubscriptions(tree), Clock.SYSTEM, io.starling.broker.core.store.SessionStore.NONE);
    private final Payloads payloads = new Payloads();
    private final InLoop loop = TestLoops.start("router-1");
    private final List<InLoop> otherLoops = new ArrayList<>();
    private final List<Session> sessions = new ArrayList<>();

    @AfterEach
    void tearDown() {
        TestLoops.drain(loop);
        otherLoops.forEach(TestLoops::drain);
        for (Session s : sessions) {
            s.owner().loop().submit(() -> s.end()).syncUninterruptibly();
        }
        loop.close();
        otherLoops.forEach(InLoop::close);
        payloads.assertAllReleased();
    }

    /** What one session was sent. */
    private static final class RecordingLink implements SessionLink {
        final List<String> sent = new ArrayList<>();
        final List<Delivery> deliveries = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();

        @Override
        public boolean isWritable() {
            return true;
        }

        @Override
        public boolean sendPublish(Delivery d, int packetId, boolean dup) {
            sent.add(d.message().topic() + " q" + d.qos().value() + " r" + (d.retain() ? 1 : 0) + " "
                    + d.message().payload().toString(StandardCharsets.UTF_8));
            deliveries.add(new Delivery(d.message(), d.qos(), d.retain(), List.copyOf(d.subscriptionIds())));
            threads.add(Thread.currentThread());
            return true;
        }

        @Override
        public int receiveMaximum() {
            return 65535;
        }

        @Override
        public void sendPubRel(int packetId) {
        }
    }

    private RecordingLink online(String clientId, InLoop on) {
        RecordingLink link = new RecordingLink();
        Session s = new Session(clientId, on.outbox(), context);
        on.run(() -> s.attach(link));
        sessions.add(s);
        return link;
    }

    private Session session(String clientId) {
        return sessions.stream().filter(s -> s.clientId().equals(clientId)).findFirst().orElseThrow();
    }

    private void subscribe(String clientId, String filter, SubscriptionOptions options, int subscriptionId) {
        Session s = session(clientId);
        s.owner().loop().submit(() -> s.subscribe(filter, new SubscriberOptions(options, subscriptionId)))
                .syncUninterruptibly();
    }

    private void subscribe(String clientId, String filter, QoS qos) {
        subscribe(clientId, filter, SubscriptionOptions.of(qos), 0);
    }

    private Message message(String topic, QoS qos, boolean retain, String publisher) {
        return new Message(topic, qos, retain, payloads.of("p"), Properties.EMPTY, publisher, Message.NEVER_EXPIRES);
    }

    /** Routes on the default loop, as a publisher there would, and gives back the caller's reference. */
    private boolean route(Message m) {
        return loop.call(() -> {
            boolean n = router.route(m);
            m.release();
            return n;
        });
    }

    @Test
    void noSubscribers_routesNowhereAndTakesNoReference() {
        Message m = message("a/b", QoS.AT_LEAST_ONCE, false, "pub");
        ByteBuf payload = m.payload();

        boolean matched = loop.call(() -> router.route(m));

        assertThat(matched).isFalse();
        assertThat(payload.refCnt()).isOne();
        m.release();
    }

    @Test
    void eachMatchingSession_getsOneDelivery() {
        RecordingLink a = online("a", loop);
        RecordingLink b = online("b", loop);
        RecordingLink c = online("c", loop);
        subscribe("a", "a/b", QoS.AT_MOST_ONCE);
        subscribe("b", "a/+", QoS.AT_MOST_ONCE);
        subscribe("c", "x", QoS.AT_MOST_ONCE);

        boolean matched = route(message("a/b", QoS.AT_MOST_ONCE, false, "pub"));

        assertThat(matched).isTrue();
        assertThat(a.sent).containsExactly("a/b q0 r0 p");
        assertThat(b.sent).containsExactly("a/b q0 r0 p");
        assertThat(c.sent).isEmpty();
    }

    @Test
    void overlappingSubscriptionsOfOneSession_mergeIntoOneDeliveryAtTheHighestQos() {
        RecordingLink a = online("a", loop);
        subscribe("a", "a/+", QoS.AT_LEAST_ONCE);
        subscribe("a", "a/#", QoS.EXACTLY_ONCE);
        subscribe("a", "a/b", QoS.AT_MOST_ONCE);

        route(message("a/b", QoS.EXACTLY_ONCE, false, "pub"));

        assertThat(a.sent).containsExactly("a/b q2 r0 p");
    }

    @Test
    void deliveredQos_isCappedByThePublishedQos() {
        RecordingLink a = online("a", loop);
        subscribe("a", "#", QoS.EXACTLY_ONCE);

        route(message("a/b", QoS.AT_MOST_ONCE, false, "pub"));

        assertThat(a.sent).containsExactly("a/b q0 r0 p");
    }

    @Test
    void retainFlag_isClearedUnlessRetainAsPublished() {
        RecordingLink plain = online("plain", loop);
        RecordingLink rap = online("rap", loop);
        subscribe("plain", "a", QoS.AT_MOST_ONCE);
        subscribe("rap", "a", new SubscriptionOptions(QoS.AT_MOST_ONCE, false, true, 0), 0);

        route(message("a", QoS.AT_MOST_ONCE, true, "pub"));

        assertThat(plain.sent).containsExactly("a q0 r0 p");
        assertThat(rap.sent).containsExactly("a q0 r1 p");
    }

    @Test
    void noLocal_skipsThePublishersOwnSubscription() {
        RecordingLink self = online("self", loop);
        RecordingLink other = online("other", loop);
        SubscriptionOptions noLocal = new SubscriptionOptions(QoS.AT_MOST_ONCE, true, false, 0);
        subscribe("self", "a", noLocal, 0);
        subscribe("other", "a", noLocal, 0);

        route(message("a", QoS.AT_MOST_ONCE, false, "self"));

        assertThat(self.sent).isEmpty();
        assertThat(other.sent).hasSize(1);
    }

    @Test
    void onlyThePublishersOwnNoLocalSubscription_stillCountsAsAMatch() {
        RecordingLink self = online("self", loop);
        subscribe("self", "a", new SubscriptionOptions(QoS.AT_MOST_ONCE, true, false, 0), 0);

        boolean matched = route(message("a", QoS.AT_MOST_ONCE, false, "self"));

        assertThat(matched).as("a match, as mosquitto counts it for PUBACK 0x10").isTrue();
        assertThat(self.sent).isEmpty();
    }

    @Test
    void subscriptionIdentifiersOfEveryMatchingSubscription_areCarried() {
        RecordingLink a = online("a", loop);
        subscribe("a", "a/+", SubscriptionOptions.of(QoS.AT_MOST_ONCE), 7);
        subscribe("a", "a/#", SubscriptionOptions.of(QoS.AT_MOST_ONCE), 9);
        subscribe("a", "a/b", SubscriptionOptions.of(QoS.AT_MOST_ONCE), 0);

        route(message("a/b", QoS.AT_MOST_ONCE, false, "pub"));

        assertThat(a.deliveries).hasSize(1);
        assertThat(a.deliveries.get(0).subscriptionIds()).containsExactlyInAnyOrder(7, 9);
    }

    @Test
    void sessionOnAnotherLoop_receivesThroughThatLoopsOutbox() {
        InLoop other = TestLoops.start("router-2");
        otherLoops.add(other);
        RecordingLink remote = online("remote", other);
        subscribe("remote", "a", QoS.AT_LEAST_ONCE);
        Session s = session("remote");

        route(message("a", QoS.AT_LEAST_ONCE, false, "pub"));
        TestLoops.drain(loop, other);

        assertThat(remote.sent).containsExactly("a q1 r0 p");
        assertThat(remote.threads).containsExactly(other.call(Thread::currentThread));
        assertThat(other.call(s::inflightCount)).isOne();
    }

    @Test
    void everyDelivery_holdsItsOwnReferenceUntilAcknowledged() {
        online("a", loop);
        online("b", loop);
        subscribe("a", "t", QoS.AT_LEAST_ONCE);
        subscribe("b", "t", QoS.AT_LEAST_ONCE);
        Message m = message("t", QoS.AT_LEAST_ONCE, false, "pub");

        route(m);

        assertThat(m.payload().refCnt()).isEqualTo(2); // one per inflight entry; the caller's is gone
        loop.run(() -> {
            session("a").onPubAck(1);
            session("b").onPubAck(1);
        });
        assertThat(m.payload().refCnt()).isZero();
    }

    @Test
    void deliveryArrivingAfterTheSessionEnded_isReleased() {
        online("a", loop);
        Session a = session("a");
        loop.run(a::end);
        Message m = message("t", QoS.AT_LEAST_ONCE, false, "pub");

        loop.run(() -> a.deliver(new Delivery(m, QoS.AT_LEAST_ONCE, false, List.of()))); // hands over our reference

        assertThat(m.payload().refCnt()).isZero();
    }

    /** A node of a cluster that records what it was forwarded, and checks the caller still holds the message. */
    private static final class RecordingNode implements RemoteNode {
        final List<String> forwarded = new ArrayList<>();
        final List<Targets> targets = new ArrayList<>();
        final String name;
        boolean relaying;

        RecordingNode() {
            this("node");
        }

        RecordingNode(String name) {
            this.name = name;
        }

        @Override
        public void forward(Message m, Targets t) {
            assertThat(m.payload().refCnt()).isPositive();
            targets.add(t);
            // sentTo is checked on its own
            forwarded.add(m.topic() + " q" + m.qos().value() + " from " + m.publisherId()
                    + (t.ordinary() && t.groups().isEmpty() ? "" : " Targets[ordinary=" + t.ordinary() + ", groups=" + t.groups() + "]")
                    + (t.relayed() ? " relayed" : ""));
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public boolean relaysForMovedSessions() {
            return relaying;
        }
    }

    @Test
    void messagePublishedHere_namesEveryNodeItIsSentToForOrdinarySubscriptions() {
        RecordingNode b = new RecordingNode("b");
        RecordingNode c = new RecordingNode("c");
        SubscriberOptions any = new SubscriberOptions(SubscriptionOptions.of(QoS.EXACTLY_ONCE), 0);
        tree.subscribe("a/+", b, any);
        tree.subscribe("a/b", c, any);

        route(message("a/b", QoS.AT_LEAST_ONCE, false, "pub"));

        assertThat(b.targets).singleElement().satisfies(t -> assertThat(t.sentTo()).containsExactlyInAnyOrder("b", "c"));
        assertThat(c.targets).singleElement().satisfies(t -> assertThat(t.sentTo()).containsExactlyInAnyOrder("b", "c"));
    }

    @Test
    void messageFromANodeThatDidNotSendItToTheNodeASessionMovedTo_isRelayedThereOnce_andOnlyThen() {
        RecordingLink local = online("local", loop);
        subscribe("local", "a/#", QoS.AT_LEAST_ONCE);
        RecordingNode movedTo = new RecordingNode("b");
        movedTo.relaying = true;
        SubscriberOptions row = new SubscriberOptions(SubscriptionOptions.of(QoS.EXACTLY_ONCE), 0);
        tree.subscribe("a/+", movedTo, row); // the row a moved session's filter left here
        tree.subscribe("a/#", movedTo, row);
        Message m = message("a/b", QoS.AT_LEAST_ONCE, false, "pub");

        // From node c, which sent it here only: relayed to b, once, beside the local delivery.
        loop.call(() -> router.routeLocal(m, new RemoteNode.Targets(true, List.of(), List.of("here"), false)));
        // From c again, which now sends it to b too, or relayed already, or for a group only: not relayed.
        loop.call(() -> router.routeLocal(m, new RemoteNode.Targets(true, List.of(), List.of("here", "b"), false)));
        loop.call(() -> router.routeLocal(m, RemoteNode.Targets.RELAYED));
        loop.call(() -> router.routeLocal(m, RemoteNode.Targets.ORDINARY)); // a sender that did not say where it sent it
        movedTo.relaying = false;
        loop.call(() -> router.routeLocal(m, new RemoteNode.Targets(true, List.of(), List.of("here"), false)));

        assertThat(movedTo.forwarded).containsExactly("a/b q1 from pub relayed");
        loop.run(() -> { });
        assertThat(local.sent).as("the local session gets each copy, relayed or not").hasSize(5);
        m.release();
    }

    @Test
    void remoteNodeWithSeveralMatchingFilters_isForwardedTheMessageOnce() {
        RecordingNode node = new RecordingNode();
        SubscriberOptions any = new SubscriberOptions(SubscriptionOptions.of(QoS.EXACTLY_ONCE), 0);
        tree.subscribe("a/b", node, any);
        tree.subscribe("a/+", node, any);
        tree.subscribe("#", node, any);

        route(message("a/b", QoS.AT_LEAST_ONCE, false, "pub"));

        assertThat(node.forwarded).containsExactly("a/b q1 from pub");
    }

    @Test
    void eachMatchingRemoteNode_getsOneCopyBesideTheLocalDeliveries() {
        RecordingLink local = online("local", loop);
        subscribe("local", "a/#", QoS.AT_MOST_ONCE);
        RecordingNode b = new RecordingNode();
        RecordingNode c = new RecordingNode();
        SubscriberOptions any = new SubscriberOptions(SubscriptionOptions.of(QoS.AT_MOST_ONCE), 0);
        tree.subscribe("a/b", b, any);
        tree.subscribe("a/+", c, any);
        tree.subscribe("x", c, any);

        route(message("a/b", QoS.AT_MOST_ONCE, false, "pub"));

        assertThat(local.sent).containsExactly("a/b q0 r0 p");
        assertThat(b.forwarded).hasSize(1);
        assertThat(c.forwarded).hasSize(1);
    }

    @Test
    void aMatchOnlyOnARemoteNode_countsAsAMatch() {
        tree.subscribe("a", new RecordingNode(), new SubscriberOptions(SubscriptionOptions.of(QoS.AT_MOST_ONCE), 0));

        boolean matched = route(message("a", QoS.AT_LEAST_ONCE, false, "pub"));

        assertThat(matched).as("no PUBACK 0x10 while another node has a subscriber").isTrue();
    }

    @Test
    void aMessageFromAnotherNode_isRoutedToLocalSessionsOnly() {
        RecordingLink local = online("local", loop);
        subscribe("local", "a", QoS.AT_LEAST_ONCE);
        RecordingNode node = new RecordingNode();
        tree.subscribe("a", node, new SubscriberOptions(SubscriptionOptions.of(QoS.AT_MOST_ONCE), 0));
        Message m = message("a", QoS.AT_LEAST_ONCE, false, "pub");

        boolean matched = loop.call(() -> {
            boolean n = router.routeLocal(m);
            m.release();
            return n;
        });

        assertThat(matched).isTrue();
        assertThat(local.sent).containsExactly("a q1 r0 p");
        assertThat(node.forwarded).as("never onward to a third node").isEmpty();
    }

    @Test
    void aMessageFromAnotherNodeMatchingOnlyRemoteNodes_isNotAMatch() {
        RecordingNode node = new RecordingNode();
        tree.subscribe("a", node, new SubscriberOptions(SubscriptionOptions.of(QoS.AT_MOST_ONCE), 0));
        Message m = message("a", QoS.AT_MOST_ONCE, false, "pub");

        boolean matched = loop.call(() -> router.routeLocal(m));
        m.release();

        assertThat(matched).isFalse();
        assertThat(node.forwarded).isEmpty();
    }

    @Test
    void groupWithMembersHereAndOnAnotherNode_givesEachMessageToOneMemberOfTheCluster_byMemberCounts() {
        RecordingLink local = online("member", loop);
        subscribe("member", "$share/g/a", QoS.AT_LEAST_ONCE);
        RecordingNode node = new RecordingNode();
        context.shared().setRemote("g", "a", node, 2, new SubscriberOptions(SubscriptionOptions.of(QoS.EXACTLY_ONCE), 0));

        for (int i = 0; i < 6; i++) {
            route(message("a", QoS.AT_LEAST_ONCE, false, "pub"));
        }

        TestLoops.drain(loop);
        assertThat(local.sent).as("one member here of three in the cluster").hasSize(2);
        assertThat(node.forwarded).as("two members there").hasSize(4)
                .allMatch(f -> f.equals("a q1 from pub Targets[ordinary=false, groups=[Shared[group=g, filter=a]]]"));
    }

    @Test
    void groupAndOrdinarySubscriptionOnOneRemoteNode_getOneCopyNamingBoth() {
        RecordingNode node = new RecordingNode();
        SubscriberOptions any = new SubscriberOptions(SubscriptionOptions.of(QoS.EXACTLY_ONCE), 0);
        tree.subscribe("a/#", node, any);
        context.shared().setRemote("g", "a/+", node, 1, any);

        route(message("a/b", QoS.AT_LEAST_ONCE, false, "pub"));

        assertThat(node.forwarded).containsExactly("a/b q1 from pub Targets[ordinary=true, groups=[Shared[group=g, filter=a/+]]]");
    }

    @Test
    void aMatchOnlyOnAGroupOfAnotherNode_countsAsAMatch() {
        context.shared().setRemote("g", "a", new RecordingNode(), 1,
                new SubscriberOptions(SubscriptionOptions.of(QoS.AT_MOST_ONCE), 0));

        assertThat(route(message("a", QoS.AT_LEAST_ONCE, false, "pub"))).as("no PUBACK 0x10").isTrue();
    }

    @Test
    void aMessageFromAnotherNodeForAGroup_goesToOneLocalMember_andNotToOrdinarySubscribersUnlessNamed() {
        RecordingLink m1 = online("m1", loop);
        RecordingLink m2 = online("m2", loop);
        RecordingLink plain = online("plain", loop);
        subscribe("m1", "$share/g/a", QoS.AT_LEAST_ONCE);
        subscribe("m2", "$share/g/a", QoS.AT_LEAST_ONCE);
        subscribe("plain", "a", QoS.AT_LEAST_ONCE);
        RecordingNode other = new RecordingNode();
        context.shared().setRemote("g", "a", other, 5, new SubscriberOptions(SubscriptionOptions.of(QoS.AT_MOST_ONCE), 0));
        Message m = message("a", QoS.AT_LEAST_ONCE, false, "pub");

        loop.call(() -> router.routeLocal(m, new RemoteNode.Targets(false, List.of(new TopicFilter.Shared("g", "a")))));
        loop.call(() -> router.routeLocal(m, new RemoteNode.Targets(true, List.of())));
        m.release();

        TestLoops.drain(loop);
        assertThat(m1.sent.size() + m2.sent.size()).as("one member, for the group only").isEqualTo(1);
        assertThat(plain.sent).as("only the copy for ordinary subscriptions").hasSize(1);
        assertThat(other.forwarded).as("never onward, not even for the group").isEmpty();
    }

    @Test
    void aMessageFromAnotherNodeForAGroupWithoutMemberHere_isCounted() {
        Message m = message("a", QoS.AT_LEAST_ONCE, false, "pub");

        loop.call(() -> router.routeLocal(m, new RemoteNode.Targets(false, List.of(new TopicFilter.Shared("g", "a")))));
        m.release();

        assertThat(router.sharedWithoutMember()).isEqualTo(1);
    }
}
