package io.starling.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import io.starling.broker.cluster.NodeId;
import io.starling.broker.testkit.Await;
import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Shared subscriptions across a cluster (issue 17, point 5): three brokers started with cluster lines on
 * loopback ports, members of one {@code $share} group on several nodes, a publisher on node A. Each
 * message goes to exactly one member of each group in the whole cluster, not one per node with members.
 *
 * <p>"Everything arrived" is known without waiting on a clock: every member's client also subscribes
 * to an ordinary end topic, published on A after the messages; a session gets its messages in the
 * order A routed them (one link per pair of nodes, FIFO, and one queue per session), so once each
 * member has the end marker, nothing of the batch is still on its way to it.
 */
class SharedSubscriptionsClusterTest {
    private static final NodeId A = ThreeBrokers.A;
    private static final NodeId B = ThreeBrokers.B;
    private static final NodeId C = ThreeBrokers.C;
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int N = 60;

    private static final List<Broker> brokers = new ArrayList<>();
    private static Broker a;
    private static Broker b;
    private static Broker c;
    private static final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeAll
    static void startCluster() throws Exception {
        List<Broker> started = ThreeBrokers.start("share", WAIT);
        a = started.get(0);
        b = started.get(1);
        c = started.get(2);
        brokers.addAll(started);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable client : clients) {
            try {
                client.close();
            } catch (Exception ignored) {
                // the broker may be gone already
            }
        }
        brokers.forEach(Broker::close);
    }

    @Test
    void groupWithMembersOnThreeNodes_getsEachMessageOnceInTheCluster_spreadOverItsMembers() throws Exception {
        Member onA = member(a, "g1-a", "$share/g1/s1/#", "s1-end");
        Member onB = member(b, "g1-b", "$share/g1/s1/#", "s1-end");
        Member onC = member(c, "g1-c", "$share/g1/s1/#", "s1-end");
        Member ordinaryOnB = member(b, "plain-b", "s1/#", "s1-end");
        awaitRoute(a, B, "s1/#");
        awaitShareRoute(a, B, "g1", "s1/#");
        awaitShareRoute(a, C, "g1", "s1/#");
        long toB = a.cluster().links().counters(B).forwardedOut.sum();

        publish(a, "s1/x", N, "s1-end");

        for (Member m : List.of(onA, onB, onC, ordinaryOnB)) {
            m.awaitEnd();
        }
        List<String> group = new ArrayList<>();
        for (Member m : List.of(onA, onB, onC)) {
            assertThat(m.got).as("member %s gets some of the messages", m.id).isNotEmpty();
            group.addAll(m.got);
        }
        assertThat(group).as("each message once in the group").hasSize(N).containsExactlyInAnyOrderElementsOf(numbers(N));
        assertThat(ordinaryOnB.got).as("the ordinary subscriber on b").containsExactlyElementsOf(numbers(N));
        // One copy per message for b, whether it carries the group's, the ordinary subscription's or both.
        assertThat(a.cluster().links().counters(B).forwardedOut.sum() - toB).isEqualTo(N + 1);
    }

    @Test
    void twoGroupsWithTheSameFilter_eachGetEveryMessageOnce() throws Exception {
        Member g2OnB = member(b, "g2-b", "$share/g2/s2/#", "s2-end");
        Member g2OnC = member(c, "g2-c", "$share/g2/s2/#", "s2-end");
        Member g3OnA = member(a, "g3-a", "$share/g3/s2/#", "s2-end");
        Member g3OnC = member(c, "g3-c", "$share/g3/s2/#", "s2-end");
        awaitShareRoute(a, B, "g2", "s2/#");
        awaitShareRoute(a, C, "g2", "s2/#");
        awaitShareRoute(a, C, "g3", "s2/#");
        long toC = a.cluster().links().counters(C).forwardedOut.sum();

        publish(a, "s2/y", N, "s2-end");

        for (Member m : List.of(g2OnB, g2OnC, g3OnA, g3OnC)) {
            m.awaitEnd();
        }
        List<String> g2 = new ArrayList<>(g2OnB.got);
        g2.addAll(g2OnC.got);
        List<String> g3 = new ArrayList<>(g3OnA.got);
        g3.addAll(g3OnC.got);
        assertThat(g2).containsExactlyInAnyOrderElementsOf(numbers(N));
        assertThat(g3).containsExactlyInAnyOrderElementsOf(numbers(N));
        // At most one copy per message for c, even when both groups chose their member there.
        assertThat(a.cluster().links().counters(C).forwardedOut.sum() - toC).isLessThanOrEqualTo(N + 1);
    }

    @Test
    void memberUnsubscribesOnC_itsRowGoes_andTheOtherMembersGetEachMessageOnce() throws Exception {
        Member onA = member(a, "g4-a", "$share/g4/s4/#", "s4-end");
        Member onB = member(b, "g4-b", "$share/g4/s4/#", "s4-end");
        Member onC = member(c, "g4-c", "$share/g4/s4/#", "s4-end");
        awaitShareRoute(a, B, "g4", "s4/#");
        awaitShareRoute(a, C, "g4", "s4/#");
        awaitShareRoute(b, C, "g4", "s4/#");

        onC.client.unsubscribeWith().topicFilter("$share/g4/s4/#").send();
        await("c's row of g4 gone on a and b", () -> !hasShareRoute(a, C, "g4", "s4/#") && !hasShareRoute(b, C, "g4", "s4/#"));
        publish(a, "s4/z", N, "s4-end");

        for (Member m : List.of(onA, onB, onC)) {
            m.awaitEnd();
        }
        List<String> group = new ArrayList<>(onA.got);
        group.addAll(onB.got);
        assertThat(group).containsExactlyInAnyOrderElementsOf(numbers(N));
        assertThat(onA.got).isNotEmpty();
        assertThat(onB.got).isNotEmpty();
        assertThat(onC.got).isEmpty();
    }

    @Test
    void memberOnBEndsItsSessionWithUnackedMessages_theyGoToTheMemberOnC() throws Exception {
        RawMqttClient raw = RawMqttClient.open(b.port());
        clients.add(raw);
        raw.connect("g5-raw-b", true, 60);
        raw.subscribe(1, "$share/g5/s5/#", QoS.AT_LEAST_ONCE);
        Member onC = member(c, "g5-c", "$share/g5/s5/#", "s5-end");
        awaitShareRoute(a, B, "g5", "s5/#");
        awaitShareRoute(a, C, "g5", "s5/#");

        publish(a, "s5/w", N, "s5-end");
        onC.awaitEnd();
        // The raw member on b got its share (in flight or queued behind its window) and acknowledges none of it.
        Publish first = raw.receive(Publish.class, WAIT);
        assertThat(numbers(N)).contains(RawMqttClient.payloadOf(first));
        assertThat(onC.got).doesNotContain(RawMqttClient.payloadOf(first));

        raw.disconnect(); // clean session: the session ends, its unacked messages go to another member

        await("c has every message", () -> onC.got.size() >= N);
        assertThat(onC.got).containsExactlyInAnyOrderElementsOf(numbers(N));
        await("b's row of g5 gone on a and c, with b's last member", () -> !hasShareRoute(a, B, "g5", "s5/#")
                && !hasShareRoute(c, B, "g5", "s5/#"));
    }

    @Test
    void onlyMatchIsAGroupOnAnotherNode_publishIsAckedWithoutNoMatchingSubscribers() throws Exception {
        member(c, "g6-c", "$share/g6/s6/only", "s6-end");
        awaitShareRoute(a, C, "g6", "s6/only");
        Mqtt5BlockingClient publisher = hive(a, "s6-pub");

        var ack = publisher.publishWith().topic("s6/only").qos(MqttQos.AT_LEAST_ONCE).payload("x".getBytes()).send();

        assertThat(ack.getError()).isEmpty();
        assertThat(((Mqtt5PublishResult.Mqtt5Qos1Result) ack).getPubAck().getReasonCode().getCode()).isEqualTo(0x00);
    }

    /** One member client: what it got through its shared (or ordinary) subscription, and the end marker. */
    private static final class Member {
        final String id;
        final Mqtt5BlockingClient client;
        final List<String> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        final BlockingQueue<String> ends = new LinkedBlockingQueue<>();

        Member(String id, Mqtt5BlockingClient client) {
            this.id = id;
            this.client = client;
        }

        void awaitEnd() throws InterruptedException {
            assertThat(ends.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).as("end marker at %s", id).isNotNull();
        }
    }

    private static Member member(Broker at, String id, String filter, String endTopic) {
        Mqtt5BlockingClient client = hive(at, id);
        Member m = new Member(id, client);
        client.toAsync().publishes(MqttGlobalPublishFilter.ALL, p -> {
            String payload = StandardCharsets.UTF_8.decode(p.getPayload().orElseThrow()).toString();
            if (p.getTopic().toString().equals(endTopic)) {
                m.ends.add(payload);
            } else {
                m.got.add(payload);
            }
        });
        client.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send();
        client.subscribeWith().topicFilter(endTopic).qos(MqttQos.AT_LEAST_ONCE).send();
        return m;
    }

    private static void publish(Broker at, String topic, int n, String endTopic) {
        Mqtt5BlockingClient publisher = hive(at, "pub-" + topic.replace('/', '-'));
        for (int i = 0; i < n; i++) {
            publisher.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(String.valueOf(i).getBytes()).send();
        }
        publisher.publishWith().topic(endTopic).qos(MqttQos.AT_LEAST_ONCE).payload("end".getBytes()).send();
    }

    private static List<String> numbers(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(String.valueOf(i));
        }
        return out;
    }

    private static void awaitRoute(Broker at, NodeId node, String filter) throws InterruptedException {
        await(node + "'s route " + filter + " on " + at.cluster().links().self(), () -> ThreeBrokers.routesOf(at, node).containsKey(filter));
    }

    private static void awaitShareRoute(Broker at, NodeId node, String group, String filter) throws InterruptedException {
        await(node + "'s row of group " + group + " on " + at.cluster().links().self(), () -> hasShareRoute(at, node, group, filter));
    }

    /**
     * Whether {@code at} has a row of {@code node} for the group: as the group itself, or (before groups were
     * cluster-wide) as its bare filter.
     */
    private static boolean hasShareRoute(Broker at, NodeId node, String group, String filter) {
        Map<String, Integer> routes = ThreeBrokers.routesOf(at, node);
        return routes.containsKey("$share/" + group + "/" + filter) || routes.containsKey(filter);
    }

    private static Mqtt5BlockingClient hive(Broker at, String id) {
        Mqtt5BlockingClient client = Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(at.port())
                .buildBlocking();
        client.connect();
        clients.add(() -> {
            if (client.getState().isConnected()) {
                client.disconnect();
            }
        });
        return client;
    }

    /** Node i of three, with failure detection slow enough for three brokers on a loaded 2-core machine. */
    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Await.until(WAIT, what, condition);
    }
}
