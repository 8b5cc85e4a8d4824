package io.starling.broker.server.cluster;

import static io.starling.broker.testkit.FreePorts.freePort;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@code bin/starling} processes, one on each of 127.0.0.1, .2 and .3, each with its own config
 * file: a QoS 1 stream published on node 1 to a persistent subscriber on node 2 while node 3 is killed
 * with SIGKILL mid-stream. A checker counts every acknowledged message and every delivery: nothing
 * acknowledged is lost, duplicated or reordered between the live nodes. Failure-detection timeouts are
 * raised: three JVMs share two loaded cores.
 */
class ClusterProcessesIT {
    private static final String[] HOSTS = {"127.0.0.1", "127.0.0.2", "127.0.0.3"};
    private static final String[] IDS = {"n1", "n2", "n3"};
    private static final int MESSAGES = 1500;
    private static final long WAIT_SECONDS = 60;

    private final List<Process> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        for (Process node : nodes) {
            node.destroyForcibly();
        }
    }

    @Test
    void qos1StreamFromNode1ToPersistentSubscriberOnNode2_losesNothingAcknowledged_whenNode3IsKilledMidStream(
            @TempDir Path dir) throws Exception {
        int[] mqtt = new int[3];
        int[] member = new int[3];
        int[] link = new int[3];
        for (int i = 0; i < 3; i++) {
            mqtt[i] = freePort(HOSTS[i]);
            member[i] = freePort(HOSTS[i]);
            link[i] = freePort(HOSTS[i]);
        }
        StringBuilder peers = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            peers.append("cluster_peer ").append(HOSTS[i]).append(':').append(member[i]).append('\n');
        }
        Path[] logs = new Path[3];
        for (int i = 0; i < 3; i++) {
            logs[i] = dir.resolve(IDS[i] + ".log");
            Path conf = Files.writeString(dir.resolve(IDS[i] + ".conf"), "listener " + mqtt[i] + " " + HOSTS[i] + "\n"
                    + "allow_anonymous true\nlog_dest file " + logs[i] + "\n"
                    + "cluster_name proc-it\ncluster_node_id " + IDS[i] + "\n"
                    + "cluster_bind " + HOSTS[i] + ":" + member[i] + "\n" + peers
                    + "cluster_raft_members n1,n2,n3\ncluster_link_port " + link[i] + "\n"
                    // Raised for two loaded cores: a GC pause or a slow scheduler must not look like a death.
                    + "cluster_heartbeat_interval 2s\ncluster_failure_timeout 30s\ncluster_suspect_timeout 5s\n"
                    + "cluster_raft_timeout 15s\n");
            ProcessBuilder launcher = new ProcessBuilder("../bin/starling", "-c", conf.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve(IDS[i] + ".console.txt").toFile());
            launcher.environment().put("STARLING_JAR", System.getProperty("starling.jar"));
            nodes.add(launcher.start()); // bin/starling execs java: this is the broker's own process
        }
        for (int i = 0; i < 3; i++) {
            Path log = logs[i];
            String listening = "Opening ipv4 listen socket on port " + mqtt[i] + ".";
            await(IDS[i] + " listening", () -> read(log).contains(listening));
        }

        Deliveries deliveries = new Deliveries();
        MqttClient subscriber = new MqttClient(url(mqtt, 1), "proc-sub", new MemoryPersistence());
        subscriber.setCallback(deliveries);
        subscriber.connect(options(false));
        subscriber.subscribe("stream/#", 1);
        // A subscriber on node 3 too, so that node 1 forwards to the node that dies.
        MqttClient onNode3 = new MqttClient(url(mqtt, 2), "proc-sub3", new MemoryPersistence());
        onNode3.connect(options(true));
        onNode3.subscribe("stream/#", 1);

        MqttClient publisher = new MqttClient(url(mqtt, 0), "proc-pub", new MemoryPersistence());
        publisher.setTimeToWait(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        publisher.connect(options(true));
        // The route to node 2 exists once a probe gets through; the stream starts after that.
        long probes = 0;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (deliveries.probes.get() == 0) {
            assertThat(System.nanoTime()).as("a probe from node 1 reaches node 2").isLessThan(until);
            publisher.publish("stream/probe", ("probe:" + probes++).getBytes(StandardCharsets.UTF_8), 1, false);
            Thread.sleep(100); // pacing of the probes, not synchronisation: the loop waits for a delivery
        }

        List<Integer> acknowledged = new ArrayList<>();
        Process node3 = nodes.get(2);
        for (int seq = 0; seq < MESSAGES; seq++) {
            if (seq == MESSAGES / 3) {
                node3.destroyForcibly(); // SIGKILL
                assertThat(node3.waitFor(10, TimeUnit.SECONDS)).as("node 3 killed").isTrue();
            }
            // Synchronous: returns once the PUBACK is in, so everything counted here was acknowledged.
            publisher.publish("stream/n1", ("p1:" + seq).getBytes(StandardCharsets.UTF_8), 1, false);
            acknowledged.add(seq);
        }
        int last = acknowledged.get(acknowledged.size() - 1);
        await("the last acknowledged message delivered on node 2", () -> deliveries.seen.contains(last));

        List<Integer> lost = new ArrayList<>();
        for (int seq : acknowledged) {
            if (!deliveries.seen.contains(seq)) {
                lost.add(seq);
            }
        }
        assertThat(lost).as("acknowledged on node 1, never delivered on node 2").isEmpty();
        assertThat(deliveries.duplicates.get()).as("duplicates").isZero();
        assertThat(deliveries.reordered.get()).as("out of publisher order").isZero();
        assertThat(nodes.get(0).isAlive() && nodes.get(1).isAlive()).as("nodes 1 and 2 still running").isTrue();

        publisher.disconnect();
        publisher.close();
        subscriber.disconnect();
        subscriber.close();
        onNode3.close(true);
    }

    /** The checker's side of the subscriber: every stream delivery, by sequence number. */
    private static final class Deliveries implements MqttCallback {
        final AtomicLong probes = new AtomicLong();
        final Set<Integer> seen = ConcurrentHashMap.newKeySet();
        final AtomicLong duplicates = new AtomicLong();
        final AtomicLong reordered = new AtomicLong();
        private int highest = -1;

        @Override
        public void connectionLost(Throwable cause) {
        }

        @Override
        public synchronized void messageArrived(String topic, MqttMessage message) {
            String payload = new String(message.getPayload(), StandardCharsets.UTF_8);
            if (payload.startsWith("probe:")) {
                probes.incrementAndGet();
                return;
            }
            int seq = Integer.parseInt(payload.substring("p1:".length()));
            if (!seen.add(seq)) {
                duplicates.incrementAndGet();
            } else if (seq < highest) {
                reordered.incrementAndGet();
            }
            highest = Math.max(highest, seq);
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
        }
    }

    private static MqttConnectOptions options(boolean clean) {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(clean);
        options.setKeepAliveInterval(60);
        options.setAutomaticReconnect(false);
        options.setConnectionTimeout((int) WAIT_SECONDS);
        options.setMaxInflight(100);
        return options;
    }

    private static String url(int[] mqtt, int node) {
        return "tcp://" + HOSTS[node] + ":" + mqtt[node];
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(until);
            Thread.sleep(50);
        }
    }

}
