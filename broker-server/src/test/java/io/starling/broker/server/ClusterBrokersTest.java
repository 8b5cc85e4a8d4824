package io.starling.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.starling.broker.cluster.NodeId;
import io.starling.broker.cluster.registry.Owner;
import io.starling.broker.core.routing.Message;
import io.starling.broker.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three brokers started with {@code Broker.start} and cluster lines, on loopback ports, driven by
 * independent clients: everything wired as in production (channel, Raft, registry, retained store, node
 * links, route table). The brokers are shared; the last two tests close nodes, so they run last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterBrokersTest {
    private static final NodeId A = ThreeBrokers.A;
    private static final NodeId B = ThreeBrokers.B;
    private static final NodeId C = ThreeBrokers.C;
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static final List<Broker> brokers = new ArrayList<>();
    private static Broker a;
    private static Broker b;
    private static Broker c;
    private static final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeAll
    static void startCluster() throws Exception {
        List<Broker> started = ThreeBrokers.start("e2e", WAIT);
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
    @Order(1)
    void publishOnA_reachesEverySubscriberOnBAndC_oncePerSession_withOneCopyPerNode() throws Exception {
        BlockingQueue<Mqtt5Publish> hiveOnB = new LinkedBlockingQueue<>();
        Mqtt5BlockingClient hive = hive(b, "hive-b");
        hive.toAsync().publishes(MqttGlobalPublishFilter.ALL, hiveOnB::add);
        hive.subscribeWith().topicFilter("fan/#").qos(MqttQos.EXACTLY_ONCE).send();
        BlockingQueue<String> pahoV3OnB = new LinkedBlockingQueue<>();
        MqttClient v3 = pahoV3(b, "paho3-b");
        v3.setCallback(new MqttCallback() { // one call per PUBLISH received (a listener per filter would be called per match)
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage m) {
                pahoV3OnB.add(topic + "=" + new String(m.getPayload(), StandardCharsets.UTF_8) + "@" + m.getQos());
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        // Overlapping filters of a 3.1.1 session: one delivery per message, as on one node.
        v3.subscribe(new String[] {"fan/#", "fan/+"}, new int[] {2, 2});
        BlockingQueue<String> pahoV5OnC = new LinkedBlockingQueue<>();
        org.eclipse.paho.mqttv5.client.MqttClient v5 = pahoV5(c, "paho5-c");
        v5.subscribe(new org.eclipse.paho.mqttv5.common.MqttSubscription[] {
                new org.eclipse.paho.mqttv5.common.MqttSubscription("fan/#", 1)},
                new org.eclipse.paho.mqttv5.client.IMqttMessageListener[] {(topic, m) -> pahoV5OnC.add(
                        topic + "=" + new String(m.getPayload(), StandardCharsets.UTF_8) + "@" + m.getQos())});
        await("b's and c's routes on a", () -> ThreeBrokers.routesOf(a, B).containsKey("fan/#") && ThreeBrokers.routesOf(a, B).containsKey("fan/+")
                && ThreeBrokers.routesOf(a, C).containsKey("fan/#"));
        long toB = a.cluster().links().counters(B).forwardedOut.sum();
        long toC = a.cluster().links().counters(C).forwardedOut.sum();
        Mqtt5BlockingClient publisher = hive(a, "pub-a");

        for (MqttQos qos : MqttQos.values()) {
            publisher.publishWith().topic("fan/" + qos.getCode()).qos(qos).payload(("m" + qos.getCode()).getBytes()).send();
        }
        // Last, in order behind the others on every path: once it is in, anything doubled would be too.
        publisher.publishWith().topic("fan/end").qos(MqttQos.EXACTLY_ONCE).payload("end".getBytes()).send();

        List<String> hiveGot = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Mqtt5Publish p = hiveOnB.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(p).as("delivery %d on b (HiveMQ)", i).isNotNull();
            hiveGot.add(p.getTopic() + "=" + StandardCharsets.UTF_8.decode(p.getPayload().orElseThrow()) + "@"
                    + p.getQos().getCode());
        }
        assertThat(hiveGot).containsExactly("fan/0=m0@0", "fan/1=m1@1", "fan/2=m2@2", "fan/end=end@2");
        assertThat(take(pahoV3OnB, 4)).containsExactly("fan/0=m0@0", "fan/1=m1@1", "fan/2=m2@2", "fan/end=end@2");
        // Granted QoS 1 on c: QoS 2 downgraded there.
        assertThat(take(pahoV5OnC, 4)).containsExactly("fan/0=m0@0", "fan/1=m1@1", "fan/2=m2@1", "fan/end=end@1");
        assertThat(hiveOnB).isEmpty();
        assertThat(pahoV3OnB).isEmpty();
        assertThat(pahoV5OnC).isEmpty();
        // One copy per node per message, whatever the number of its sessions and filters.
        assertThat(a.cluster().links().counters(B).forwardedOut.sum() - toB).isEqualTo(4);
        assertThat(a.cluster().links().counters(C).forwardedOut.sum() - toC).isEqualTo(4);
        await("b received 4 from a", () -> b.cluster().links().counters(A).forwardedIn.sum() >= 4);
        assertThat(b.cluster().links().counters(A).duplicatesIn.sum()).isZero();
    }

    @Test
    @Order(2)
    void unsubscribeOnC_removesItsRouteOnTheOthers() throws Exception {
        Mqtt5BlockingClient sub = hive(c, "unsub-c");
        sub.subscribeWith().topicFilter("gone/soon").qos(MqttQos.AT_LEAST_ONCE).send();
        await("route on a and b", () -> ThreeBrokers.routesOf(a, C).containsKey("gone/soon") && ThreeBrokers.routesOf(b, C).containsKey("gone/soon"));

        sub.unsubscribeWith().topicFilter("gone/soon").send();

        await("route gone on a and b", () -> !ThreeBrokers.routesOf(a, C).containsKey("gone/soon")
                && !ThreeBrokers.routesOf(b, C).containsKey("gone/soon"));
        long before = a.cluster().links().counters(C).forwardedOut.sum();
        hive(a, "unsub-pub-a").publishWith().topic("gone/soon").qos(MqttQos.AT_LEAST_ONCE).payload("x".getBytes()).send();
        assertThat(a.cluster().links().counters(C).forwardedOut.sum()).isEqualTo(before);
    }

    @Test
    @Order(3)
    void retainedSetOnA_reachesANewSubscriberOnC_andItsDeletionReachesEveryNode() throws Exception {
        Mqtt5BlockingClient publisher = hive(a, "retain-a");
        publisher.publishWith().topic("kept/1").retain(true).qos(MqttQos.AT_LEAST_ONCE).payload("v1".getBytes()).send();
        await("retained on every node", () -> brokers.stream().allMatch(x -> retained(x, "kept/1") != null));

        BlockingQueue<Mqtt5Publish> got = new LinkedBlockingQueue<>();
        Mqtt5BlockingClient late = hive(c, "retain-c");
        late.toAsync().publishes(MqttGlobalPublishFilter.ALL, got::add);
        late.subscribeWith().topicFilter("kept/#").qos(MqttQos.AT_LEAST_ONCE).send();
        Mqtt5Publish p = got.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(p).isNotNull();
        assertThat(p.isRetain()).isTrue();
        assertThat(p.getPayloadAsBytes()).isEqualTo("v1".getBytes());

        publisher.publishWith().topic("kept/1").retain(true).qos(MqttQos.AT_LEAST_ONCE).payload(new byte[0]).send();

        await("deleted on every node", () -> brokers.stream().allMatch(x -> retained(x, "kept/1") == null));
    }

    @Test
    @Order(4)
    void connectWithAnIdConnectedOnAnotherNode_isAccepted_andTheRegistryMovesTheIdWithANewerEpoch() throws Exception {
        MqttClient first = pahoV3(a, "roamer");
        await("a owns roamer", () -> owner(a, "roamer") != null && owner(a, "roamer").node().equals(A));
        Owner before = owner(a, "roamer");

        Mqtt5BlockingClient second = hive(b, "roamer"); // connect() returned: accepted

        assertThat(second.getState().isConnected()).isTrue();
        await("every node has b as the owner", () -> brokers.stream().allMatch(x -> owner(x, "roamer") != null
                && owner(x, "roamer").node().equals(B)));
        for (Broker x : brokers) {
            assertThat(owner(x, "roamer").epoch()).isGreaterThan(before.epoch());
        }
        assertThat(first).isNotNull();
    }

    @Test
    @Order(5)
    void aClosedNode_losesItsRoutesOnTheOthers_andTheTwoLeftKeepForwarding() throws Exception {
        hive(c, "c-sub").subscribeWith().topicFilter("after/c").qos(MqttQos.AT_LEAST_ONCE).send();
        BlockingQueue<Mqtt5Publish> onB = new LinkedBlockingQueue<>();
        Mqtt5BlockingClient sub = hive(b, "after-b");
        sub.toAsync().publishes(MqttGlobalPublishFilter.ALL, onB::add);
        sub.subscribeWith().topicFilter("after/#").qos(MqttQos.AT_LEAST_ONCE).send();
        await("c's route on a", () -> ThreeBrokers.routesOf(a, C).containsKey("after/c"));
        await("b's route on a", () -> ThreeBrokers.routesOf(a, B).containsKey("after/#"));

        brokers.remove(c);
        c.close();

        await("c's routes gone on a and b", () -> !a.cluster().routes().remoteRoutes().containsKey(C)
                && !b.cluster().routes().remoteRoutes().containsKey(C));
        await("a and b see two members", () -> a.cluster().channel().members().size() == 2
                && b.cluster().channel().members().size() == 2);
        RaftLeaders.await(WAIT, List.of(a, b)); // not c, which a and b may still name for a moment
        Mqtt5BlockingClient publisher = hive(a, "after-pub-a"); // two of three: CONNECT still granted
        publisher.publishWith().topic("after/c").qos(MqttQos.AT_LEAST_ONCE).payload("still".getBytes()).send();
        Mqtt5Publish p = onB.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(p).isNotNull();
        assertThat(p.getPayloadAsBytes()).isEqualTo("still".getBytes());
    }

    @Test
    @Order(6)
    void theLastNodeOfThree_refusesNewConnects_butItsClientsKeepPublishingLocally() throws Exception {
        BlockingQueue<Mqtt5Publish> local = new LinkedBlockingQueue<>();
        Mqtt5BlockingClient sub = hive(a, "alone-sub");
        sub.toAsync().publishes(MqttGlobalPublishFilter.ALL, local::add);
        sub.subscribeWith().topicFilter("alone/#").qos(MqttQos.AT_LEAST_ONCE).send();
        Mqtt5BlockingClient publisher = hive(a, "alone-pub");

        brokers.remove(b);
        b.close();

        await("a alone, without a Raft leader", () -> a.cluster().channel().members().size() == 1
                && !a.cluster().raft().hasLeader());
        assertThatThrownBy(() -> Mqtt5Client.builder().identifier("newcomer").serverHost("127.0.0.1").serverPort(a.port())
                .buildBlocking().connect())
                .isInstanceOfSatisfying(Mqtt5ConnAckException.class, e -> assertThat(e.getMqttMessage().getReasonCode())
                        .isEqualTo(Mqtt5ConnAckReasonCode.SERVER_UNAVAILABLE));
        MqttClient v3 = new MqttClient("tcp://127.0.0.1:" + a.port(), "newcomer3", new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        assertThatThrownBy(() -> v3.connect(options)).isInstanceOfSatisfying(MqttException.class,
                e -> assertThat(e.getReasonCode()).isEqualTo(MqttException.REASON_CODE_BROKER_UNAVAILABLE));
        v3.close();

        publisher.publishWith().topic("alone/1").qos(MqttQos.AT_LEAST_ONCE).payload("here".getBytes()).send();

        Mqtt5Publish p = local.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(p).isNotNull();
        assertThat(p.getPayloadAsBytes()).isEqualTo("here".getBytes());
    }

    /** Node i of three, with failure detection slow enough for three brokers on a loaded 2-core machine. */
    private static Owner owner(Broker at, String clientId) {
        return at.cluster().registry().localOwner(clientId);
    }

    /** {@code topic} when {@code at}'s local store has a retained message on it, else null. */
    private static String retained(Broker at, String topic) {
        String[] found = {null};
        at.core().retained().match(topic, (Message m) -> {
            found[0] = m.topic();
            m.release(); // each one is retained for the visitor
            return true;
        });
        return found[0];
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

    private static MqttClient pahoV3(Broker at, String id) throws MqttException {
        MqttClient client = new MqttClient("tcp://127.0.0.1:" + at.port(), id, new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        client.connect(options);
        clients.add(() -> {
            if (client.isConnected()) {
                client.disconnectForcibly(1000);
            }
            client.close(true);
        });
        return client;
    }

    private static org.eclipse.paho.mqttv5.client.MqttClient pahoV5(Broker at, String id) throws Exception {
        org.eclipse.paho.mqttv5.client.MqttClient client = new org.eclipse.paho.mqttv5.client.MqttClient(
                "tcp://127.0.0.1:" + at.port(), id, new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        client.connect();
        clients.add(() -> {
            if (client.isConnected()) {
                client.disconnectForcibly(1000);
            }
            client.close(true);
        });
        return client;
    }

    private static List<String> take(BlockingQueue<String> queue, int n) throws InterruptedException {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String s = queue.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(s).as("delivery %d", i).isNotNull();
            out.add(s);
        }
        return out;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Await.until(WAIT, what, condition);
    }
}
