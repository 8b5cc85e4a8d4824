package io.starling.broker.server;

import static io.starling.broker.testkit.FreePorts.freePort;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import io.starling.broker.cluster.NodeId;
import io.starling.broker.cluster.takeover.SessionTakeover;
import io.starling.broker.config.ConfigFile;
import io.starling.broker.config.ListenerConfig;
import io.starling.broker.testkit.Await;
import io.starling.broker.testkit.Concurrently;
import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.PubAck;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that restarts on its store while one of its persistent sessions moved (issue 17 point 8): three
 * brokers with persistence in one JVM; node A (n1) stops without handing anything over, the client's id
 * connects on B meanwhile or not, and A comes back on its store. The registry's epoch decides which copy
 * of the session is the live one.
 */
@org.junit.jupiter.api.extension.ExtendWith(FailOnLeaks.class)
class RestartedNodeSessionsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final NodeId A = new NodeId("n1");

    @TempDir
    Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final Path[] confs = new Path[3];
    private final Broker[] nodes = new Broker[3];

    @BeforeEach
    void startThreeNodes() throws Exception {
        int[] member = {freePort(), freePort(), freePort()};
        StringBuilder peers = new StringBuilder();
        for (int port : member) {
            peers.append("cluster_peer 127.0.0.1:").append(port).append('\n');
        }
        for (int i = 0; i < 3; i++) {
            Path data = Files.createDirectories(dir.resolve("n" + (i + 1)));
            confs[i] = Files.writeString(dir.resolve("n" + (i + 1) + ".conf"), "allow_anonymous true\npersistence true\npersistence_location " + data + "/\n"
                    + "cluster_name restart\ncluster_node_id n" + (i + 1) + "\ncluster_bind 127.0.0.1:" + member[i] + "\n"
                    + peers + "cluster_raft_members n1,n2,n3\ncluster_link_port 0\n"
                    // Raised for two loaded cores: a GC pause must not look like a death.
                    + "cluster_heartbeat_interval 1s\ncluster_failure_timeout 20s\ncluster_suspect_timeout 5s\n"
                    + "cluster_raft_timeout 15s\n");
        }
        List<Callable<Broker>> starting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int n = i;
            starting.add(() -> start(n)); // each start waits for a Raft leader
        }
        List<Broker> started = Concurrently.all(Duration.ofSeconds(90), starting, Broker::close);
        for (int i = 0; i < 3; i++) {
            nodes[i] = started.get(i);
        }
        await("one view of three", () -> members(nodes[0]) == 3 && members(nodes[2]) == 3);
    }

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        for (Broker node : nodes) {
            if (node != null) {
                node.close();
            }
        }
    }

    private Broker start(int i) {
        try {
            // A listener on a port of the kernel's choosing: one picked in advance may be taken by then.
            return Broker.start(ConfigFile.read(confs[i]).withListeners(List.of(new ListenerConfig(0, "127.0.0.1"))));
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }

    /** Stops node {@code i} without handing its sessions anywhere: they stay in its store, as after a crash. */
    private void stop(int i) {
        nodes[i].close();
        nodes[i] = null;
    }

    private RawMqttClient raw(Broker broker) {
        RawMqttClient c = RawMqttClient.open("127.0.0.1", broker.port());
        open.add(c);
        return c;
    }

    private Mqtt5BlockingClient publisher(Broker broker, String id) {
        Mqtt5BlockingClient c = Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(broker.port())
                .buildBlocking();
        c.connect();
        open.add(() -> {
            if (c.getState().isConnected()) {
                c.disconnect(); // not when its node stopped under it
            }
        });
        return c;
    }

    private static Connect persistent(String clientId) {
        return new Connect(MqttVersion.MQTT_5, clientId, false, 60, null, null, null,
                Properties.builder().number(PropertyId.SESSION_EXPIRY_INTERVAL, 3600).build());
    }

    private static void publish(Mqtt5BlockingClient publisher, String topic) {
        publisher.publishWith().topic(topic).payload(topic.getBytes()).qos(MqttQos.AT_LEAST_ONCE).send();
    }

    /** The next {@code n} messages, each acknowledged: their topics in order. */
    private static List<String> receive(RawMqttClient client, int n) {
        List<String> topics = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Publish p = client.receive(Publish.class, Duration.ofSeconds(20));
            topics.add(p.topic());
            if (p.qos() != QoS.AT_MOST_ONCE) {
                client.send(new PubAck(p.packetId(), 0, Properties.EMPTY));
            }
        }
        return topics;
    }

    private String sessionOf(int i) {
        io.starling.broker.core.session.Session x = nodes[i].core().sessions().get("x");
        return "n" + (i + 1) + ": " + (x == null ? "no session x" : "x online " + x.isOnline() + ", queued "
                + x.queuedCount() + ", inflight " + x.inflightCount() + ", filters " + x.subscriptionFilters() + ", can take " + x.canTakeMessageNow()
                + ", link writable " + (x.link() != null && x.link().isWritable()));
    }

    /** B and C elected a leader among themselves: their CONNECTs can claim ids again. */
    private void awaitLeaderOtherThanA() throws InterruptedException {
        await("a Raft leader on B and C", () -> leaderIsNotA(nodes[1]) && leaderIsNotA(nodes[2]));
    }

    private static boolean leaderIsNotA(Broker broker) {
        return broker.cluster().raft().hasLeader()
                && !A.name().equals(String.valueOf(broker.cluster().raft().handle().leader()));
    }

    private static int members(Broker broker) {
        return broker.cluster().channel().members().size();
    }

    private static Map<String, Integer> routesOf(Broker on, NodeId node) {
        return on.cluster().routes().remoteRoutes().getOrDefault(node, Map.of());
    }

    @Test
    void sessionThatMovedWhileItsNodeWasDown_isDroppedByTheRestartedNode_andTheMovedOneWins() throws Exception {
        RawMqttClient x = raw(nodes[0]);
        x.connect(persistent("x"));
        x.subscribe(1, "r/#", QoS.AT_LEAST_ONCE);
        x.subscribe(2, "stale/#", QoS.AT_LEAST_ONCE);
        x.disconnect();
        publish(publisher(nodes[0], "pub-a"), "r/old"); // queued in A's copy, which will be stale
        await("queued on A", () -> nodes[0].core().sessions().get("x").queuedCount() == 1);
        stop(0);
        await("A gone from the view", () -> members(nodes[1]) == 2 && members(nodes[2]) == 2);
        awaitLeaderOtherThanA();

        RawMqttClient onB = raw(nodes[1]);
        onB.send(persistent("x"));
        // At once: B does not wait for a session from a node that is not in its view.
        ConnAck fresh = onB.receive(ConnAck.class, Duration.ofMillis(SessionTakeover.DEFAULT_WAIT.toMillis() - 1000));
        assertThat(fresh.reasonCode()).isZero();
        assertThat(fresh.sessionPresent()).isFalse();
        onB.subscribe(1, "r/#", QoS.AT_LEAST_ONCE);
        onB.disconnect();
        await("B's route on C", () -> routesOf(nodes[2], new NodeId("n2")).containsKey("r/#"));
        Mqtt5BlockingClient pubC = publisher(nodes[2], "pub-c");
        publish(pubC, "r/1");
        publish(pubC, "r/2");
        await("queued on B", () -> nodes[1].core().sessions().get("x").queuedCount() == 2);

        nodes[0] = start(0);

        await("A dropped its stale copy", () -> nodes[0].core().sessions().get("x") == null);
        // Every view has A again before x connects there: B answers A's takeover request only once A is in
        // its view (a CONNECT on a node that joined a moment before is the documented race, not this test's).
        await("A's routes: none for the stale copy", () -> members(nodes[1]) == 3 && members(nodes[2]) == 3
                && !nodes[0].cluster().routes().localRoutes().containsKey("stale/#")
                && !routesOf(nodes[2], A).containsKey("stale/#") && !routesOf(nodes[1], A).containsKey("stale/#"));
        publish(pubC, "r/3");
        publish(pubC, "stale/1");
        await("queued on B", () -> nodes[1].core().sessions().get("x").queuedCount() == 3);

        RawMqttClient back = raw(nodes[0]);
        ConnAck taken = back.connect(persistent("x"));
        assertThat(taken.reasonCode()).isZero();
        assertThat(taken.sessionPresent()).isTrue();
        // At once: C may not know yet that x moved (the third-node window of docs/cluster.md, "Session takeover"),
        // and B relays what C sends it. Before the relay, r/4 missed x 1 run in 3 of the cluster tests (2026-12-07).
        publish(pubC, "r/4"); // the marker: nothing comes between the moved queue and it
        List<String> got;
        try {
            got = receive(back, 4);
        } catch (AssertionError e) { // failed twice on JDK 25 in long runs (2026-12-07): say what each node held
            throw new AssertionError(e.getMessage() + "; " + sessionOf(0) + "; " + sessionOf(1) + "; routes of n1 on n3: "
                    + routesOf(nodes[2], A), e);
        }
        assertThat(got).containsExactly("r/1", "r/2", "r/3", "r/4");
        assertThat(back.poll(Duration.ofMillis(500))).isEmpty();
        assertThat(nodes[1].core().sessions().get("x")).isNull();
    }

    @Test
    void sessionNobodyTookWhileItsNodeWasDown_comesBackOnTheRestartedNode_andMovesToAnotherNodeFromThere()
            throws Exception {
        RawMqttClient x = raw(nodes[0]);
        x.connect(persistent("y"));
        x.subscribe(1, "r/#", QoS.AT_LEAST_ONCE);
        x.disconnect();
        publish(publisher(nodes[0], "pub-a"), "r/1");
        await("queued on A", () -> nodes[0].core().sessions().get("y").queuedCount() == 1);
        stop(0);
        await("A gone from the view", () -> members(nodes[1]) == 2 && members(nodes[2]) == 2);
        awaitLeaderOtherThanA();

        nodes[0] = start(0);

        await("A's restored route on C", () -> routesOf(nodes[2], A).containsKey("r/#"));
        assertThat(nodes[0].core().sessions().get("y")).isNotNull();
        publish(publisher(nodes[2], "pub-c"), "r/2");
        await("queued on A", () -> nodes[0].core().sessions().get("y").queuedCount() == 2);

        RawMqttClient onB = raw(nodes[1]);
        ConnAck taken = onB.connect(persistent("y"));
        assertThat(taken.reasonCode()).isZero();
        assertThat(taken.sessionPresent()).isTrue();
        assertThat(receive(onB, 2)).containsExactly("r/1", "r/2");
        assertThat(nodes[0].core().sessions().get("y")).isNull();
    }

    @Test
    void sessionNobodyTookWhileItsNodeWasDown_comesBackToItsClientOnTheRestartedNode() throws Exception {
        RawMqttClient x = raw(nodes[0]);
        x.connect(persistent("z"));
        x.subscribe(1, "r/#", QoS.AT_LEAST_ONCE);
        x.disconnect();
        publish(publisher(nodes[0], "pub-a"), "r/1");
        await("queued on A", () -> nodes[0].core().sessions().get("z").queuedCount() == 1);
        stop(0);

        nodes[0] = start(0);

        RawMqttClient back = raw(nodes[0]);
        ConnAck again = back.connect(persistent("z"));
        assertThat(again.reasonCode()).isZero();
        assertThat(again.sessionPresent()).isTrue();
        assertThat(receive(back, 1)).containsExactly("r/1");
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Await.until(WAIT, what, condition);
    }
}
