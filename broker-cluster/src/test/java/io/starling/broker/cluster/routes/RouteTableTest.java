package io.starling.broker.cluster.routes;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.cluster.NodeId;
import io.starling.broker.cluster.membership.ClusterChannel;
import io.starling.broker.cluster.membership.TestNodes;
import io.starling.broker.config.ClusterSettings;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.routing.RemoteNode;
import io.starling.broker.core.routing.Subscriber;
import io.starling.broker.core.routing.SubscriberOptions;
import io.starling.broker.core.topic.SubscriptionTree;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.SubscriptionOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.TCP;
import org.jgroups.stack.ProtocolStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Route tables of three nodes over three real channels in one JVM, on loopback ports. */
class RouteTableTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final SubscriberOptions QOS1 = new SubscriberOptions(SubscriptionOptions.of(QoS.AT_LEAST_ONCE), 0);

    private final List<Node> nodes = new ArrayList<>();

    @AfterEach
    void close() {
        nodes.forEach(Node::close);
    }

    @Test
    void subscribeOnOneNode_reachesTheOtherTreesAsThatNode_withinABoundedTime() throws Exception {
        start(TestNodes.settings("routes-time", 3));
        awaitView(3);
        Subscriber session = new Subscriber() { };

        int rounds = 50;
        long[] nanos = new long[rounds];
        for (int i = 0; i < rounds; i++) {
            String topic = "sensors/" + i + "/t";
            long t0 = System.nanoTime();
            nodes.get(0).tree.subscribe("sensors/" + i + "/+", session, QOS1);
            long deadline = t0 + WAIT.toNanos();
            // Polled every 0.1 ms rather than with TestNodes.await's 10 ms, so the figure is the propagation's.
            while (!(nodes.get(1).remotesMatching(topic).contains("n1") && nodes.get(2).remotesMatching(topic).contains("n1"))) {
                assertThat(System.nanoTime()).as("route of %s on n2 and n3 within %s", topic, WAIT).isLessThan(deadline);
                Thread.sleep(0, 100_000);
            }
            nanos[i] = System.nanoTime() - t0;
        }

        Arrays.sort(nanos);
        System.out.printf("route propagation to 2 nodes over %d subscribes: p50 %.2f ms, p90 %.2f ms, max %.2f ms%n",
                rounds, nanos[rounds / 2] / 1e6, nanos[rounds * 9 / 10] / 1e6, nanos[rounds - 1] / 1e6);
        assertThat(nodes.get(1).table.remoteRoutes().get(new NodeId("n1"))).hasSize(rounds);
        assertThat(nodes.get(0).table.remoteRoutes()).allSatisfy((node, rows) -> assertThat(rows).isEmpty());
    }

    @Test
    void lastUnsubscribe_removesTheRoute_andAnotherSubscriberKeepsIt() throws Exception {
        start(TestNodes.settings("routes-unsub", 2));
        awaitView(2);
        Subscriber a = new Subscriber() { };
        Subscriber b = new Subscriber() { };
        Node n1 = nodes.get(0);
        Node n2 = nodes.get(1);

        n1.tree.subscribe("a/#", a, QOS1);
        n1.tree.subscribe("a/#", b, QOS1);
        n1.tree.subscribe("b", a, QOS1);
        TestNodes.await(WAIT, "both routes", () -> n2.remotesMatching("a/x").contains("n1") && n2.remotesMatching("b").contains("n1"));
        n1.tree.unsubscribe("a/#", a);
        n1.tree.unsubscribe("b", a);

        TestNodes.await(WAIT, "b gone", () -> n2.remotesMatching("b").isEmpty());
        assertThat(n2.remotesMatching("a/x")).containsExactly("n1");
        assertThat(n2.table.remoteRoutes().get(new NodeId("n1"))).containsOnlyKeys("a/#");
        assertThat(n1.table.localRoutes()).isEqualTo(Map.of("a/#", 1));
    }

    @Test
    void filterKeptAnnounced_staysAfterItsLastSubscriberLeaves_untilTheWindowEnds() throws Exception {
        start(TestNodes.settings("routes-keep", 2));
        awaitView(2);
        Subscriber moving = new Subscriber() { };
        Node n1 = nodes.get(0);
        Node n2 = nodes.get(1);
        n1.tree.subscribe("m/#", moving, QOS1);
        TestNodes.await(WAIT, "the route on n2", () -> n2.remotesMatching("m/x").contains("n1"));

        n1.table.keepAnnounced("m/#", Duration.ofSeconds(2)); // the session moves away: kept before its row goes
        n1.tree.unsubscribe("m/#", moving);
        long left = System.nanoTime();

        Thread.sleep(1_000); // time itself: within the window the route must not have gone
        assertThat(n2.remotesMatching("m/x")).as("within the window").containsExactly("n1");
        TestNodes.await(WAIT, "the route gone after the window", () -> n2.remotesMatching("m/x").isEmpty());
        assertThat(System.nanoTime() - left).isGreaterThanOrEqualTo(Duration.ofMillis(1_900).toNanos());
        assertThat(n1.table.localRoutes()).isEmpty();
    }

    @Test
    void nodeJoiningLater_getsTheRoutesInFull_andAnnouncesItsOwn() throws Exception {
        List<ClusterSettings> settings = TestNodes.settings("routes-join", 3);
        start(settings.subList(0, 2));
        awaitView(2);
        nodes.get(0).tree.subscribe("early/+", new Subscriber() { }, QOS1);
        TestNodes.await(WAIT, "route on n2", () -> nodes.get(1).remotesMatching("early/x").contains("n1"));

        Node n3 = new Node(settings.get(2));
        n3.tree.subscribe("restored/#", new Subscriber() { }, QOS1); // in its tree before it joins (a restored session)
        nodes.add(n3);
        n3.channel.connect();

        TestNodes.await(WAIT, "n3 has n1's route", () -> n3.remotesMatching("early/x").contains("n1"));
        TestNodes.await(WAIT, "n1 and n2 have n3's route", () -> nodes.get(0).remotesMatching("restored/1").contains("n3")
                && nodes.get(1).remotesMatching("restored/1").contains("n3"));
    }

    @Test
    void nodeThatLeaves_losesItsRoutesOnTheOthersAtOnce() throws Exception {
        start(TestNodes.settings("routes-leave", 3));
        awaitView(3);
        nodes.get(2).tree.subscribe("t", new Subscriber() { }, QOS1);
        TestNodes.await(WAIT, "route", () -> nodes.get(0).remotesMatching("t").contains("n3")
                && nodes.get(1).remotesMatching("t").contains("n3"));

        nodes.remove(2).close();

        TestNodes.await(WAIT, "route gone", () -> nodes.get(0).remotesMatching("t").isEmpty()
                && nodes.get(1).remotesMatching("t").isEmpty());
        assertThat(nodes.get(0).tree.size()).isZero();
    }

    @Test
    void afterAPartitionHeals_theRouteTablesConverge() throws Exception {
        List<ClusterSettings> fast = TestNodes.fastDetection("routes-merge", 3);
        start(fast);
        awaitView(3);
        Node n1 = nodes.get(0);
        Node n2 = nodes.get(1);
        Node n3 = nodes.get(2);
        Subscriber s1 = new Subscriber() { };
        n1.tree.subscribe("old", s1, QOS1);
        TestNodes.await(WAIT, "route on n3", () -> n3.remotesMatching("old").contains("n1"));
        DISCARD cut = new DISCARD();
        n3.channel.channel().getProtocolStack().insertProtocol(cut, ProtocolStack.Position.ABOVE, TCP.class);

        cut.discardAll(true);
        TestNodes.await(WAIT, "two partitions", () -> n1.channel.members().size() == 2 && n3.channel.members().size() == 1);
        n1.tree.unsubscribe("old", s1);
        n1.tree.subscribe("new", s1, QOS1);
        n3.tree.subscribe("island", new Subscriber() { }, QOS1);
        assertThat(n1.remotesMatching("island")).isEmpty();
        cut.discardAll(false);

        TestNodes.await(WAIT, "merged", () -> nodes.stream().allMatch(n -> n.channel.members().size() == 3));
        TestNodes.await(WAIT, "converged", () -> n1.remotesMatching("island").equals(Set.of("n3"))
                && n2.remotesMatching("island").equals(Set.of("n3"))
                && n3.remotesMatching("new").equals(Set.of("n1"))
                && n3.remotesMatching("old").isEmpty()
                && n2.remotesMatching("new").equals(Set.of("n1")));
        assertThat(n3.table.remoteRoutes().get(new NodeId("n1"))).isEqualTo(Map.of("new", 1));
    }

    private void start(List<ClusterSettings> settings) throws Exception {
        for (ClusterSettings s : settings) {
            nodes.add(new Node(s));
        }
        for (Node n : nodes) {
            n.channel.connect();
        }
    }

    private void awaitView(int size) throws InterruptedException {
        TestNodes.await(WAIT, "one view of " + size, () -> nodes.stream().allMatch(n -> n.channel.members().size() == size));
    }

    /** A node: its channel, its tree and its route table, with recording remote nodes. */
    static final class Node {
        final ClusterChannel channel;
        final SubscriptionTree<Subscriber, SubscriberOptions> tree = new SubscriptionTree<>();
        final RouteTable table;

        Node(ClusterSettings settings) throws Exception {
            channel = new ClusterChannel(settings, null);
            table = RouteTable.start(channel, tree, node -> new RecordingRemote(node.name()));
        }

        /** The remote nodes whose rows match {@code topic}. */
        Set<String> remotesMatching(String topic) {
            Set<String> out = new TreeSet<>();
            tree.match(topic, (subscriber, options) -> {
                if (subscriber instanceof RecordingRemote r) {
                    out.add(r.node());
                }
            });
            return out;
        }

        void close() {
            table.close();
            channel.close();
        }
    }

    /** Until the node links exist: a remote node that only records what it was given. */
    record RecordingRemote(String node, List<Message> forwarded) implements RemoteNode {
        @Override
        public String name() {
            return node;
        }

        RecordingRemote(String node) {
            this(node, new CopyOnWriteArrayList<>());
        }

        @Override
        public void forward(Message message, Targets targets) {
            forwarded.add(message);
        }
    }
}
