package io.starling.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import io.starling.broker.config.ClusterSettings;
import io.starling.broker.testkit.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.TCP;
import org.jgroups.stack.ProtocolStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code cluster_client_lease}: a node cut off from the others closes its client connections once its lease
 * runs out, and a node that takes one of their ids over answers only after that, so that at no moment two
 * connections hold one client id (issue 17, partitions). With HiveMQ (5.0) and Paho (3.1.1) clients.
 */
class ClusterClientLeaseTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration LEASE = Duration.ofSeconds(16); // the least for 6 s + 2 s of failure detection

    private final List<Broker> brokers = new ArrayList<>();
    private final List<AutoCloseable> clients = new ArrayList<>();

    @AfterEach
    void stop() {
        for (int i = clients.size() - 1; i >= 0; i--) {
            try {
                clients.get(i).close();
            } catch (Exception ignored) {
                // the broker may have closed it
            }
        }
        brokers.forEach(Broker::close);
    }

    @Test
    void cutOffNode_closesItsClientsBeforeTheMajorityGivesTheirIdsToNewConnections_andServesAgainAfterTheHeal()
            throws Exception {
        brokers.addAll(ThreeBrokers.start("lease", WAIT, s -> new ClusterSettings(s.name(), s.nodeId(), s.bind(),
                s.peers(), s.raftMembers(), s.linkPort(), s.tls(), s.heartbeatInterval(), Duration.ofSeconds(6),
                Duration.ofSeconds(2), s.mergeInterval(), s.raftTimeout(), false, s.limits(), LEASE)));
        Await.until(WAIT, "every lease held", () -> brokers.stream().allMatch(b -> b.cluster().lease().held()));
        Broker cut = brokers.stream().filter(b -> !b.cluster().raft().handle().isLeader()).findFirst().orElseThrow();
        Broker other = brokers.stream().filter(b -> b != cut).findFirst().orElseThrow();
        CompletableFuture<Long> closed5 = new CompletableFuture<>();
        CompletableFuture<Throwable> cause5 = new CompletableFuture<>();
        Mqtt5AsyncClient first5 = Mqtt5Client.builder().identifier("twin5").serverHost("127.0.0.1").serverPort(cut.port())
                .addDisconnectedListener(ctx -> {
                    closed5.complete(System.nanoTime());
                    cause5.complete(ctx.getCause());
                }).buildAsync();
        first5.connect().get(30, TimeUnit.SECONDS);
        CompletableFuture<Long> closed3 = new CompletableFuture<>();
        MqttClient first3 = paho(cut, "twin3");
        first3.setCallback(lostAt(closed3));
        first3.connect(options311());

        cut.cluster().channel().channel().getProtocolStack().insertProtocol(new DISCARD().discardAll(true),
                ProtocolStack.Position.ABOVE, TCP.class);
        Mqtt5AsyncClient second5 = Mqtt5Client.builder().identifier("twin5").serverHost("127.0.0.1")
                .serverPort(other.port()).buildAsync();
        clients.add(() -> second5.disconnect());
        CompletableFuture<Long> connack5 = second5.connect().thenApply((Mqtt5ConnAck ack) -> System.nanoTime());
        MqttClient second3 = paho(other, "twin3");
        second3.connect(options311()); // blocks until its CONNACK
        long connack3 = System.nanoTime();

        assertThat(closed3.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("3.1.1 old connection closed before the new CONNACK")
                .isLessThan(connack3);
        assertThat(closed5.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("5.0 old connection closed before the new CONNACK")
                .isLessThan(connack5.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertThat(cause5.get()).isInstanceOfSatisfying(Mqtt5DisconnectException.class, e -> assertThat(
                e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5DisconnectReasonCode.USE_ANOTHER_SERVER));
        assertThat(cut.cluster().lease().held()).isFalse();
        assertThat(cut.cluster().lease().closedConnections()).isGreaterThanOrEqualTo(2); // a later sweep may count one in its close
        assertThat(ClusterSysTopics.topics(cut.cluster().status().status()))
                .containsEntry("$SYS/broker/cluster/lease/held", "0").containsEntry("$SYS/broker/cluster/lease/expiries", "1");
        for (Broker b : brokers) {
            if (b != cut) {
                assertThat(b.cluster().lease().expiries()).as(b.cluster().channel().self().name()).isZero();
            }
        }

        cut.cluster().channel().channel().getProtocolStack().removeProtocol(DISCARD.class);
        Await.until(WAIT, "the healed node's lease held again", () -> cut.cluster().lease().held(),
                () -> brokers.stream().map(b -> b.cluster().raft().describe()).toList().toString());
        MqttClient back = paho(cut, "back3");
        Await.until(WAIT, "a CONNECT on the healed node", () -> {
            try {
                back.connect(options311());
                return true;
            } catch (Exception refusedUntilItHasALeader) {
                return false;
            }
        });
    }

    private MqttClient paho(Broker at, String id) throws Exception {
        MqttClient client = new MqttClient("tcp://127.0.0.1:" + at.port(), id, new MemoryPersistence());
        clients.add(() -> {
            if (client.isConnected()) {
                client.disconnectForcibly(1000);
            }
            client.close(true);
        });
        return client;
    }

    private static MqttConnectOptions options311() {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setConnectionTimeout(60);
        options.setAutomaticReconnect(false);
        return options;
    }

    private static MqttCallback lostAt(CompletableFuture<Long> at) {
        return new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                at.complete(System.nanoTime());
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        };
    }
}
