package io.starling.broker.server;

import static io.starling.broker.testkit.FreePorts.freePort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import io.starling.broker.cluster.NodeId;
import io.starling.broker.cluster.membership.MemberTls;
import io.starling.broker.cluster.retained.ReplicatedRetainedStore;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.ClusterSettings;
import io.starling.broker.config.ClusterSettings.HostPort;
import io.starling.broker.config.ConfigFile;
import io.starling.broker.config.ListenerConfig;
import io.starling.broker.testkit.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broker.start joins a cluster when, and only when, the config has cluster_* lines. */
class ClusterWiringTest {
    private static final Path OPENSSL = Path.of("/usr/bin/openssl");
    private final List<Broker> brokers = new ArrayList<>();

    @AfterEach
    void close() {
        brokers.forEach(Broker::close);
    }

    @Test
    void brokerWithoutClusterLines_startsNoJGroupsThread() throws Exception {
        Set<Thread> before = jgroupsThreads();

        Broker single = start(BrokerConfig.defaults());

        assertThat(single.cluster()).isNull();
        assertThat(jgroupsThreads()).isSubsetOf(before);
    }

    @Test
    void brokerWithClusterLines_joinsTheCluster_andLeavesItOnClose() throws Exception {
        Set<Thread> before = jgroupsThreads();
        ClusterSettings solo = settings(List.of(new HostPort("127.0.0.1", freePort())), 0);

        Broker node = start(BrokerConfig.defaults().withCluster(solo));

        assertThat(node.cluster().channel().members()).containsExactly(new NodeId("n1"));
        assertThat(jgroupsThreads()).isNotEmpty().isNotEqualTo(before);
        brokers.remove(node);
        node.close();
        await("JGroups threads gone", () -> before.containsAll(jgroupsThreads()));
    }

    @Test
    void clusterBindInUse_failsTheStartNamingTheAddress_andLeavesNoJGroupsThread() throws Exception {
        Set<Thread> before = jgroupsThreads();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            HostPort bind = new HostPort("127.0.0.1", taken.getLocalPort());

            assertThatThrownBy(() -> start(BrokerConfig.defaults().withCluster(settings(List.of(bind), 0))))
                    .isInstanceOf(Broker.StartException.class)
                    .hasMessageStartingWith("Error: cannot join the cluster on " + bind + ": ");
        }
        await("JGroups threads gone", () -> before.containsAll(jgroupsThreads()));
    }

    @Test
    void withPersistence_theRaftLogIsBesideTheStore(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("starling.conf");
        Files.writeString(conf, "persistence true\npersistence_location " + dir.resolve("data") + "\n"
                + "cluster_node_id n1\ncluster_link_port 0\ncluster_bind 127.0.0.1:" + freePort() + "\n");

        start(ConfigFile.read(conf));

        assertThat(dir.resolve("data").resolve("n1.raft.log")).exists();
    }

    @Test
    void restartWithPersistence_putsTheStoredRetainedMessagesInTheLocalStore_notThroughRaft(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("starling.conf");
        Files.writeString(conf, "persistence true\npersistence_location " + dir.resolve("data") + "/\n"
                + "cluster_node_id n1\ncluster_link_port 0\ncluster_bind 127.0.0.1:" + freePort() + "\n");
        Broker first = start(ConfigFile.read(conf));
        Mqtt5BlockingClient client = Mqtt5Client.builder().identifier("retainer").serverHost("127.0.0.1")
                .serverPort(first.port()).buildBlocking();
        client.connect();
        client.publishWith().topic("kept/over/restart").retain(true).qos(MqttQos.AT_LEAST_ONCE).payload("v".getBytes()).send();
        await("retained applied", () -> hasRetained(first, "kept/over/restart"));
        client.disconnect();
        brokers.remove(first);
        first.close();

        Broker again = start(ConfigFile.read(conf));

        assertThat(hasRetained(again, "kept/over/restart")).isTrue();
        // Put back through Raft before it has a leader, the stored message would be a lost write.
        assertThat(((ReplicatedRetainedStore) again.core().retained()).lostWrites()).isZero();
    }

    @Test
    void subscriptionOnOneBroker_isARouteOnTheOther_untilUnsubscribedOrTheBrokerStops() throws Exception {
        List<HostPort> addresses = List.of(new HostPort("127.0.0.1", freePort()), new HostPort("127.0.0.1", freePort()));
        // Together: each waits at start for a Raft leader, which takes both.
        java.util.concurrent.CompletableFuture<Broker> first = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> startUnchecked(BrokerConfig.defaults().withCluster(settings(addresses, 0))));
        Broker b = start(BrokerConfig.defaults().withCluster(settings(addresses, 1)));
        Broker a = first.join();
        await("one view", () -> a.cluster().channel().members().size() == 2);
        Mqtt5BlockingClient client = Mqtt5Client.builder().identifier("cluster-sub").serverHost("127.0.0.1")
                .serverPort(b.port()).buildBlocking();
        client.connect();

        client.subscribeWith().topicFilter("plant/+/temperature").qos(MqttQos.AT_LEAST_ONCE).send();
        await("route on n1", () -> a.cluster().routes().remoteRoutes()
                .getOrDefault(new NodeId("n2"), Map.of()).containsKey("plant/+/temperature"));
        client.unsubscribeWith().topicFilter("plant/+/temperature").send();
        await("route gone on n1", () -> a.cluster().routes().remoteRoutes()
                .getOrDefault(new NodeId("n2"), Map.of()).isEmpty());
        client.subscribeWith().topicFilter("plant/#").send();
        await("second route on n1", () -> a.cluster().routes().remoteRoutes()
                .getOrDefault(new NodeId("n2"), Map.of()).containsKey("plant/#"));
        client.disconnect();
        brokers.remove(b);
        b.close();

        await("n2's routes gone", () -> !a.cluster().routes().remoteRoutes().containsKey(new NodeId("n2")));
    }

    @Test
    void withClusterTls_theNodeLinksAreMutualTls_andCarryPublishes(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(OPENSSL), "openssl is not installed");
        ca(dir, "ca");
        ca(dir, "rogue");
        List<HostPort> addresses = List.of(new HostPort("127.0.0.1", freePort()), new HostPort("127.0.0.1", freePort()));
        List<ClusterSettings> nodes = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ClusterSettings s = settings(addresses, i);
            String name = node(dir, "ca", s.nodeId());
            nodes.add(new ClusterSettings(s.name(), s.nodeId(), s.bind(), s.peers(), s.raftMembers(), 0,
                    new ClusterSettings.Tls(dir.resolve("ca.pem"), dir.resolve(name + ".pem"), dir.resolve(name + ".key")),
                    s.heartbeatInterval(), s.failureTimeout(), s.suspectTimeout(), s.mergeInterval()));
        }
        java.util.concurrent.CompletableFuture<Broker> first = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> startUnchecked(BrokerConfig.defaults().withCluster(nodes.get(0))));
        Broker b = start(BrokerConfig.defaults().withCluster(nodes.get(1)));
        Broker a = first.join();
        await("links up", () -> a.cluster().links().isConnected(new NodeId("n2"))
                && b.cluster().links().isConnected(new NodeId("n1")));

        Mqtt5BlockingClient sub = Mqtt5Client.builder().identifier("tls-sub").serverHost("127.0.0.1").serverPort(b.port())
                .buildBlocking();
        sub.connect();
        try (Mqtt5BlockingClient.Mqtt5Publishes got = sub.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("over/tls").qos(MqttQos.AT_LEAST_ONCE).send();
            await("route on n1", () -> a.cluster().routes().remoteRoutes()
                    .getOrDefault(new NodeId("n2"), Map.of()).containsKey("over/tls"));
            Mqtt5BlockingClient pub = Mqtt5Client.builder().identifier("tls-pub").serverHost("127.0.0.1")
                    .serverPort(a.port()).buildBlocking();
            pub.connect();
            pub.publishWith().topic("over/tls").qos(MqttQos.AT_LEAST_ONCE).payload("sealed".getBytes()).send();
            assertThat(got.receive(30, java.util.concurrent.TimeUnit.SECONDS)).hasValueSatisfying(
                    p -> assertThat(p.getPayloadAsBytes()).isEqualTo("sealed".getBytes()));
            pub.disconnect();
        }
        sub.disconnect();
        // The link port speaks TLS to a member of the cluster's CA, and refuses another CA's certificate.
        java.net.InetSocketAddress link = a.cluster().links().address();
        assertThat(handshake(MemberTls.context(nodes.get(1).tls()), link)).isTrue();
        String rogue = node(dir, "rogue", "n2");
        assertThat(handshake(MemberTls.context(new ClusterSettings.Tls(dir.resolve("ca.pem"), dir.resolve(rogue + ".pem"),
                dir.resolve(rogue + ".key"))), link)).isFalse();
    }

    /** Whether a TLS handshake with {@code context}'s certificate completes and the server keeps the connection. */
    private static boolean handshake(javax.net.ssl.SSLContext context, java.net.InetSocketAddress to) {
        try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) context.getSocketFactory()
                .createSocket(to.getAddress(), to.getPort())) {
            socket.setSoTimeout(2000);
            socket.startHandshake();
            // TLS 1.3: a refused client certificate shows on the first read, as an alert.
            try {
                int read = socket.getInputStream().read();
                return read != -1;
            } catch (java.net.SocketTimeoutException quiet) {
                return true; // the receiver waits for a frame: the connection stands
            }
        } catch (IOException e) {
            return false;
        }
    }

    private static void ca(Path dir, String name) throws IOException, InterruptedException {
        openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", name + ".key", "-out", name + ".pem", "-days", "2", "-subj", "/CN=" + name,
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    }

    /** A node certificate signed by {@code ca}; returns the files' base name. */
    private static String node(Path dir, String ca, String id) throws IOException, InterruptedException {
        String name = ca + "-" + id;
        openssl(dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", name + ".key",
                "-out", name + ".csr", "-subj", "/CN=" + id);
        openssl(dir, "x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key", "-CAcreateserial",
                "-out", name + ".pem", "-days", "2");
        return name;
    }

    private static void openssl(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(OPENSSL.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("openssl " + String.join(" ", args) + " failed: " + out);
        }
    }

    private Broker start(BrokerConfig config) throws Exception {
        Broker broker = Broker.start(config.withListeners(List.of(new ListenerConfig(0, "127.0.0.1"))).withAllowAnonymous(true));
        synchronized (brokers) {
            brokers.add(broker);
        }
        return broker;
    }

    private Broker startUnchecked(BrokerConfig config) {
        try {
            return start(config);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Node n(i+1) of the given addresses, with timeouts that suit a loaded machine. */
    private static ClusterSettings settings(List<HostPort> addresses, int i) {
        List<String> ids = new ArrayList<>();
        for (int n = 1; n <= addresses.size(); n++) {
            ids.add("n" + n);
        }
        return new ClusterSettings("wiring", ids.get(i), addresses.get(i), addresses.size() > 1 ? addresses : List.of(),
                ids, 0, null, Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(2), Duration.ofSeconds(5));
    }

    private static boolean hasRetained(Broker broker, String topic) {
        boolean[] found = {false};
        broker.core().retained().match(topic, m -> {
            found[0] = true;
            m.release(); // each one is retained for the visitor
            return true;
        });
        return found[0];
    }

    /** Threads running JGroups code, whatever their names. */
    private static Set<Thread> jgroupsThreads() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().isAlive())
                .filter(e -> List.of(e.getValue()).stream().anyMatch(f -> f.getClassName().startsWith("org.jgroups.")))
                .map(Map.Entry::getKey)
                .collect(Collectors.toSet());
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Await.until(Duration.ofSeconds(30), what, condition);
    }
}
