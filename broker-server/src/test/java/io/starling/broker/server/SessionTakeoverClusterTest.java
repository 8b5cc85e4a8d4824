package io.starling.broker.server;

import static io.starling.broker.testkit.FreePorts.freePort;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.ClusterSettings;
import io.starling.broker.config.ClusterSettings.HostPort;
import io.starling.broker.config.ListenerConfig;
import io.starling.broker.testkit.Await;
import io.starling.broker.testkit.Concurrently;
import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.Disconnect;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.ReasonCode;
import io.starling.mqtt.codec.SubAck;
import io.starling.mqtt.codec.Subscribe;
import io.starling.mqtt.codec.Subscription;
import io.starling.mqtt.codec.SubscriptionOptions;
import io.starling.mqtt.codec.Will;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Session takeover across two nodes (issue 17 point 3), as ClusterNode wires it: a client's session
 * moves from the node it was on to the node where its client id connects next.
 */
@ExtendWith(FailOnLeaks.class)
class SessionTakeoverClusterTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final List<AutoCloseable> open = new ArrayList<>();
    private Broker a;
    private Broker b;

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private void startTwoNodes() throws Exception {
        List<HostPort> addresses = List.of(new HostPort("127.0.0.1", freePort()), new HostPort("127.0.0.1", freePort()));
        // Together: each start waits for a Raft leader, which needs both.
        List<Broker> started = Concurrently.all(Duration.ofSeconds(60),
                List.of(() -> start(settings(addresses, 0)), () -> start(settings(addresses, 1))), Broker::close);
        a = started.get(0);
        b = started.get(1);
        await("one view", () -> a.cluster().channel().members().size() == 2);
        RaftLeaders.await(WAIT, List.of(a, b));
    }

    private Broker start(ClusterSettings cluster) throws Exception {
        Broker broker = Broker.start(BrokerConfig.defaults().withCluster(cluster)
                .withListeners(List.of(new ListenerConfig(0, "127.0.0.1"))).withAllowAnonymous(true));
        synchronized (open) {
            open.add(broker);
        }
        return broker;
    }

    private static Connect connect5(String clientId, int receiveMaximum, Will will) {
        return new Connect(MqttVersion.MQTT_5, clientId, false, 60, null, null, will, Properties.builder()
                .number(PropertyId.SESSION_EXPIRY_INTERVAL, 3600).number(PropertyId.RECEIVE_MAXIMUM, receiveMaximum).build());
    }

    private RawMqttClient raw(Broker broker) {
        RawMqttClient c = RawMqttClient.open("127.0.0.1", broker.port());
        open.add(c);
        return c;
    }

    private Mqtt5BlockingClient hive(Broker broker, String id) {
        Mqtt5BlockingClient c = Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(broker.port())
                .buildBlocking();
        c.connect();
        open.add(() -> c.disconnect());
        return c;
    }

    @Test
    void connectOnAnotherNode_takesTheSessionOver_withItsInflightAndQueuedMessages_andNoWill() throws Exception {
        startTwoNodes();
        Mqtt5BlockingClient watcher = hive(a, "will-watcher");
        Mqtt5BlockingClient.Mqtt5Publishes watched = watcher.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL);
        open.add(watched);
        watcher.subscribeWith().topicFilter("will/#").qos(MqttQos.AT_LEAST_ONCE).send();
        RawMqttClient old = raw(a);
        ConnAck first = old.connect(connect5("mover", 2, new Will("will/mover", "gone".getBytes(StandardCharsets.UTF_8),
                QoS.AT_LEAST_ONCE, false, Properties.EMPTY)));
        assertThat(first.sessionPresent()).isFalse();
        old.send(new Subscribe(1, List.of(new Subscription("t/#", new SubscriptionOptions(QoS.EXACTLY_ONCE, false, false, 0))),
                Properties.builder().number(PropertyId.SUBSCRIPTION_IDENTIFIER, 7).build()));
        old.receive(SubAck.class);
        Mqtt5BlockingClient publisher = hive(a, "publisher-a");
        publisher.publishWith().topic("t/1").payload("one".getBytes()).qos(MqttQos.AT_LEAST_ONCE).send();
        publisher.publishWith().topic("t/2").payload("two".getBytes()).qos(MqttQos.EXACTLY_ONCE).send();
        publisher.publishWith().topic("t/3").payload("three".getBytes()).qos(MqttQos.AT_LEAST_ONCE).send();
        Publish p1 = old.receive(Publish.class);
        Publish p2 = old.receive(Publish.class);
        assertThat(List.of(RawMqttClient.payloadOf(p1), RawMqttClient.payloadOf(p2))).containsExactly("one", "two");
        await("the third queued behind the window", () -> a.core().sessions().get("mover").queuedCount() == 1);

        RawMqttClient next = raw(b);
        ConnAck taken = next.connect(connect5("mover", 10, null));

        assertThat(taken.reasonCode()).isZero();
        assertThat(taken.sessionPresent()).isTrue();
        Disconnect kicked = old.receive(Disconnect.class);
        assertThat(kicked.reasonCode()).isEqualTo(ReasonCode.SESSION_TAKEN_OVER);
        assertThat(old.isClosedWithin(Duration.ofSeconds(10))).isTrue();
        Publish r1 = next.receive(Publish.class);
        Publish r2 = next.receive(Publish.class);
        Publish r3 = next.receive(Publish.class);
        assertThat(List.of(r1.dup(), r1.packetId(), RawMqttClient.payloadOf(r1))).containsExactly(true, p1.packetId(), "one");
        assertThat(List.of(r2.dup(), r2.packetId(), RawMqttClient.payloadOf(r2))).containsExactly(true, p2.packetId(), "two");
        assertThat(List.of(r3.dup(), RawMqttClient.payloadOf(r3))).containsExactly(false, "three");
        assertThat(r1.properties().numbers(PropertyId.SUBSCRIPTION_IDENTIFIER)).containsExactly(7L);
        // A sends the state before its session leaves its registry (SessionHandOver): gone a moment later.
        await("the session gone from A", () -> a.core().sessions().get("mover") == null);

        // No will: a marker published after the takeover is the first thing the watcher gets.
        publisher.publishWith().topic("will/marker").payload("m".getBytes()).qos(MqttQos.AT_LEAST_ONCE).send();
        Mqtt5Publish firstWatched = watched.receive(10, TimeUnit.SECONDS).orElseThrow();
        assertThat(firstWatched.getTopic().toString()).isEqualTo("will/marker");

        // Its subscription works on the new node, with its subscription id.
        Mqtt5BlockingClient publisherB = hive(b, "publisher-b");
        publisherB.publishWith().topic("t/4").payload("four".getBytes()).qos(MqttQos.AT_LEAST_ONCE).send();
        Publish r4 = next.receive(Publish.class);
        assertThat(RawMqttClient.payloadOf(r4)).isEqualTo("four");
        assertThat(r4.properties().numbers(PropertyId.SUBSCRIPTION_IDENTIFIER)).containsExactly(7L);
    }

    @Test
    void mqtt311ConnectOnAnotherNode_closesTheOldConnection_withoutWill_andResumesTheSession() throws Exception {
        startTwoNodes();
        Mqtt5BlockingClient watcher = hive(a, "will-watcher");
        Mqtt5BlockingClient.Mqtt5Publishes watched = watcher.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL);
        open.add(watched);
        watcher.subscribeWith().topicFilter("will/#").qos(MqttQos.AT_LEAST_ONCE).send();
        RawMqttClient old = raw(a);
        old.connect(RawMqttClient.connectPacket(MqttVersion.MQTT_3_1_1, "mover311", false, 60,
                RawMqttClient.will("will/mover311", "gone", QoS.AT_LEAST_ONCE, false)));
        old.subscribe(1, "q/#", QoS.AT_LEAST_ONCE);
        old.disconnect(); // offline now, its session (and the queue below) stays on A
        Mqtt5BlockingClient publisher = hive(a, "publisher-a");
        publisher.publishWith().topic("q/1").payload("queued".getBytes()).qos(MqttQos.AT_LEAST_ONCE).send();
        await("queued on A", () -> a.core().sessions().get("mover311").queuedCount() == 1);
        RawMqttClient online = raw(a);
        online.connect(RawMqttClient.connectPacket(MqttVersion.MQTT_3_1_1, "mover311", false, 60,
                RawMqttClient.will("will/mover311", "gone", QoS.AT_LEAST_ONCE, false)));
        Publish queued = online.receive(Publish.class); // not acknowledged: inflight on A

        RawMqttClient next = raw(b);
        ConnAck taken = next.connect(RawMqttClient.connectPacket("mover311", false, 60));

        assertThat(taken.sessionPresent()).isTrue();
        assertThat(online.isClosedWithin(Duration.ofSeconds(10))).isTrue(); // 3.1.1: just closed
        Publish again = next.receive(Publish.class);
        assertThat(List.of(again.dup(), again.packetId(), RawMqttClient.payloadOf(again)))
                .containsExactly(true, queued.packetId(), "queued");
        publisher.publishWith().topic("will/marker").payload("m".getBytes()).qos(MqttQos.AT_LEAST_ONCE).send();
        assertThat(watched.receive(10, TimeUnit.SECONDS).orElseThrow().getTopic().toString()).isEqualTo("will/marker");
    }

    private static ClusterSettings settings(List<HostPort> addresses, int i) {
        List<String> ids = new ArrayList<>();
        for (int n = 1; n <= addresses.size(); n++) {
            ids.add("n" + n);
        }
        return new ClusterSettings("takeover", ids.get(i), addresses.get(i), addresses, ids, 0, null,
                Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(2), Duration.ofSeconds(5));
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Await.until(WAIT, what, condition);
    }

}
