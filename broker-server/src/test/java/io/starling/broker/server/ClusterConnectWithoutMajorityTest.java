package io.starling.broker.server;

import static io.starling.broker.testkit.FreePorts.freePort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.ClusterSettings;
import io.starling.broker.config.ClusterSettings.HostPort;
import io.starling.broker.config.ListenerConfig;
import io.starling.broker.testkit.Await;
import io.starling.broker.testkit.Concurrently;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code cluster_connect_without_majority}: a node left alone of three (2 of 3 stopped, no Raft majority)
 * refuses CONNECT by default (5.0: 0x88, 3.1.1: return code 3), and with the option true accepts it
 * without a claim of the id (unsafe, counted).
 */
class ClusterConnectWithoutMajorityTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final List<Broker> brokers = new ArrayList<>();
    private final List<AutoCloseable> clients = new ArrayList<>();

    @AfterEach
    void stop() {
        for (int i = clients.size() - 1; i >= 0; i--) {
            try {
                clients.get(i).close();
            } catch (Exception ignored) {
                // the broker may be gone already
            }
        }
        brokers.forEach(Broker::close);
    }

    @Test
    void byDefault_aNodeWithoutMajority_refusesConnect() throws Exception {
        Broker a = aloneOfThree(false);

        assertThatThrownBy(() -> Mqtt5Client.builder().identifier("refused5").serverHost("127.0.0.1").serverPort(a.port())
                .buildBlocking().connect())
                .isInstanceOfSatisfying(Mqtt5ConnAckException.class, e -> assertThat(e.getMqttMessage().getReasonCode())
                        .isEqualTo(Mqtt5ConnAckReasonCode.SERVER_UNAVAILABLE));
        MqttClient v3 = new MqttClient("tcp://127.0.0.1:" + a.port(), "refused3", new MemoryPersistence());
        assertThatThrownBy(() -> v3.connect(options311())).isInstanceOfSatisfying(MqttException.class,
                e -> assertThat(e.getReasonCode()).isEqualTo(MqttException.REASON_CODE_BROKER_UNAVAILABLE));
        v3.close();
        assertThat(a.cluster().takeover().unsafeConnects()).isZero();
    }

    @Test
    void withConnectWithoutMajority_aNodeWithoutMajority_acceptsConnect_andCountsItAsUnsafe() throws Exception {
        Broker a = aloneOfThree(true);

        BlockingQueue<Mqtt5Publish> got = new LinkedBlockingQueue<>();
        Mqtt5BlockingClient v5 = Mqtt5Client.builder().identifier("unsafe5").serverHost("127.0.0.1").serverPort(a.port())
                .buildBlocking();
        v5.connect();
        clients.add(v5::disconnect);
        v5.toAsync().publishes(MqttGlobalPublishFilter.ALL, got::add);
        v5.subscribeWith().topicFilter("unsafe/#").qos(MqttQos.AT_LEAST_ONCE).send();
        MqttClient v3 = new MqttClient("tcp://127.0.0.1:" + a.port(), "unsafe3", new MemoryPersistence());
        v3.connect(options311());
        clients.add(() -> {
            v3.disconnectForcibly(1000);
            v3.close(true);
        });

        v3.publish("unsafe/1", "here".getBytes(), 1, false);

        Mqtt5Publish p = got.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(p).isNotNull();
        assertThat(p.getPayloadAsBytes()).isEqualTo("here".getBytes());
        assertThat(a.cluster().takeover().unsafeConnects()).isEqualTo(2);
        assertThat(ClusterSysTopics.topics(a.cluster().status().status()))
                .containsEntry("$SYS/broker/cluster/registry/unsafe_connects", "2");
    }

    /** Starts three nodes, a with {@code connectWithoutMajority}, then stops b and c: a is left without a majority. */
    private Broker aloneOfThree(boolean connectWithoutMajority) throws Exception {
        List<HostPort> addresses = List.of(new HostPort("127.0.0.1", freePort()), new HostPort("127.0.0.1", freePort()),
                new HostPort("127.0.0.1", freePort()));
        List<Callable<Broker>> starting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ClusterSettings settings = settings(addresses, i, i == 0 && connectWithoutMajority);
            starting.add(() -> start(settings));
        }
        brokers.addAll(Concurrently.all(WAIT.multipliedBy(2), starting, Broker::close));
        Broker a = brokers.get(0);
        RaftLeaders.await(WAIT, brokers);
        for (Broker other : List.copyOf(brokers.subList(1, 3))) {
            brokers.remove(other);
            other.close();
        }
        await("a alone, without a Raft leader", () -> a.cluster().channel().members().size() == 1
                && !a.cluster().raft().hasLeader());
        return a;
    }

    private static MqttConnectOptions options311() {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        return options;
    }

    private static Broker start(ClusterSettings settings) {
        try {
            return Broker.start(BrokerConfig.defaults().withCluster(settings)
                    .withListeners(List.of(new ListenerConfig(0, "127.0.0.1"))).withAllowAnonymous(true));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static ClusterSettings settings(List<HostPort> addresses, int i, boolean connectWithoutMajority) {
        List<String> ids = List.of("a", "b", "c");
        return new ClusterSettings("nomajority", ids.get(i), addresses.get(i), addresses, ids, 0, null,
                Duration.ofSeconds(1), Duration.ofSeconds(15), Duration.ofSeconds(3), Duration.ofSeconds(5),
                Duration.ofSeconds(10), connectWithoutMajority);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Await.until(WAIT, what, condition);
    }
}
