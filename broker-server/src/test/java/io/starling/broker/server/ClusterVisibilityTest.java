package io.starling.broker.server;

import static io.starling.broker.testkit.FreePorts.freePort;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import io.starling.broker.cluster.NodeId;
import io.starling.broker.cluster.status.ClusterStatus;
import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.BrokerSettings;
import io.starling.broker.config.ConfigFile;
import io.starling.broker.testkit.Await;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a node shows of its cluster: $SYS/broker/cluster/..., the cluster meters with a node label,
 * /api/v1/cluster; nothing of it on a broker without cluster lines.
 */
@Timeout(120)
class ClusterVisibilityTest {
    private final List<Broker> brokers = new ArrayList<>();
    private final List<Mqtt5AsyncClient> clients = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        clients.forEach(c -> c.disconnect());
        brokers.forEach(Broker::close);
    }

    private static ClusterStatus status(List<ClusterStatus.Link> links) {
        return new ClusterStatus(new NodeId("a"), "prod", List.of(new ClusterStatus.Member(new NodeId("a"), true),
                new ClusterStatus.Member(new NodeId("b"), true), new ClusterStatus.Member(new NodeId("c"), false)),
                new NodeId("b"), 4, true, 12, 0, true, links, 3, 0, new ClusterStatus.Lease(true, 2, 5));
    }

    private static ClusterStatus.Link link(String node, long out) {
        return new ClusterStatus.Link(new NodeId(node), 3, true, out, 5, 1, 2, 6, 7, 4, 2, 700);
    }

    @Test
    void sysTopics_nameTheNodesLeaderRegistryAndEachLink() {
        Map<String, String> topics = ClusterSysTopics.topics(status(List.of(link("b", 9))));

        String p = "$SYS/broker/cluster/";
        assertThat(topics).containsEntry(p + "name", "prod").containsEntry(p + "node", "a")
                .containsEntry(p + "nodes", "2").containsEntry(p + "nodes/c/up", "0").containsEntry(p + "nodes/b/up", "1")
                .containsEntry(p + "leader", "b").containsEntry(p + "term", "4").containsEntry(p + "majority", "1")
                .containsEntry(p + "registry/clients", "12").containsEntry(p + "retained/lost_writes", "0")
                .containsEntry(p + "links/b/connected", "1").containsEntry(p + "links/b/routes", "3")
                .containsEntry(p + "links/b/messages/sent", "9").containsEntry(p + "links/b/messages/received", "5")
                .containsEntry(p + "links/b/messages/resent", "1").containsEntry(p + "links/b/messages/duplicates", "2")
                .containsEntry(p + "links/b/messages/dropped", "6")
                .containsEntry(p + "links/b/messages/unacknowledged", "7")
                .containsEntry(p + "links/b/messages/dropped/link_full", "4")
                .containsEntry(p + "links/b/messages/dropped/window_full", "2")
                .containsEntry(p + "links/b/bytes/unacknowledged", "700")
                .containsEntry(p + "routes/held_dropped", "3")
                .containsEntry(p + "lease/held", "1").containsEntry(p + "lease/expiries", "2")
                .containsEntry(p + "lease/closed_connections", "5");
    }

    @Test
    void sysTopics_withoutALeader_sayNone_andLeaveOutPiecesNotWired() {
        ClusterStatus s = new ClusterStatus(new NodeId("a"), "prod", List.of(new ClusterStatus.Member(new NodeId("a"), true)),
                null, 0, false, -1, -1, false, List.of(new ClusterStatus.Link(new NodeId("b"), 2, false, 0, 0, 0, 0, 0, 0)), 0, 0,
                null);

        Map<String, String> topics = ClusterSysTopics.topics(s);

        assertThat(topics).containsEntry("$SYS/broker/cluster/leader", "none")
                .containsEntry("$SYS/broker/cluster/majority", "0")
                .containsEntry("$SYS/broker/cluster/links/b/routes", "2")
                .doesNotContainKeys("$SYS/broker/cluster/registry/clients", "$SYS/broker/cluster/retained/lost_writes",
                        "$SYS/broker/cluster/links/b/connected", "$SYS/broker/cluster/links/b/messages/sent",
                        "$SYS/broker/cluster/lease/held");
    }

    @Test
    void metrics_carryThisNodesId_andANodeSeenLaterGetsItsMeters() {
        AtomicReference<ClusterStatus> now = new AtomicReference<>(status(List.of(link("b", 9))));
        try (BrokerMetrics metrics = new BrokerMetrics(new BrokerCore(BrokerSettings.defaults()), now::get, null)) {
            String first = metrics.scrape();
            now.set(status(List.of(link("b", 10), link("c", 1))));
            String second = metrics.scrape();

            assertThat(first).contains("starling_cluster_nodes{node=\"a\"} 2.0")
                    .contains("starling_cluster_leader{node=\"a\"} 0.0")
                    .contains("starling_cluster_majority{node=\"a\"} 1.0")
                    .contains("starling_cluster_registry_clients{node=\"a\"} 12.0")
                    .contains("starling_cluster_forwarded_total{direction=\"out\",node=\"a\",peer=\"b\"} 9.0")
                    .contains("starling_cluster_link_unacknowledged{node=\"a\",peer=\"b\"} 7.0")
                    .contains("starling_cluster_link_unacknowledged_bytes{node=\"a\",peer=\"b\"} 700.0")
                    .contains("starling_cluster_link_dropped_link_full_total{node=\"a\",peer=\"b\"} 4.0")
                    .contains("starling_cluster_link_dropped_window_full_total{node=\"a\",peer=\"b\"} 2.0")
                    .contains("starling_cluster_routes_held_dropped_total{node=\"a\"} 3.0")
                    .doesNotContain("peer=\"c\"");
            assertThat(second).contains("starling_cluster_forwarded_total{direction=\"out\",node=\"a\",peer=\"b\"} 10.0")
                    .contains("starling_cluster_forwarded_total{direction=\"out\",node=\"a\",peer=\"c\"} 1.0")
                    .contains("starling_cluster_routes{node=\"a\",peer=\"c\"} 3.0");
        }
    }

    @Test
    void singleNode_hasNoClusterTopicsMetersOrApi() throws Exception {
        int mqtt = freePort();
        int api = freePort();
        Broker broker = start("single.conf", "listener " + mqtt + " 127.0.0.1\nallow_anonymous true\nsys_interval 1\n"
                + "listener " + api + " 127.0.0.1\nprotocol http_api\n");
        Map<String, String> sys = subscribe(mqtt, "$SYS/broker/#");
        await("$SYS published", () -> sys.containsKey("$SYS/broker/uptime"));

        assertThat(get(api, "/api/v1/cluster").body()).isEqualTo("{\"enabled\":false}");
        assertThat(get(api, "/metrics").body()).doesNotContain("starling_cluster");
        assertThat(sys.keySet()).noneMatch(t -> t.startsWith("$SYS/broker/cluster/"));
        assertThat(broker.cluster()).isNull();
    }

    @Test
    void twoNodeCluster_showsBothNodesInSysMetricsAndApi() throws Exception {
        int bind1 = freePort();
        int bind2 = freePort();
        int mqtt1 = freePort();
        int api1 = freePort();
        String cluster = "cluster_name visible\ncluster_peer 127.0.0.1:" + bind1 + "\ncluster_peer 127.0.0.1:" + bind2
                + "\ncluster_raft_members n1,n2\ncluster_link_port 0\ncluster_failure_timeout 10s\n"
                + "cluster_suspect_timeout 5s\ncluster_merge_interval 2s\nallow_anonymous true\nsys_interval 1\n";
        start("n1.conf", cluster + "cluster_node_id n1\ncluster_bind 127.0.0.1:" + bind1 + "\nlistener " + mqtt1
                + " 127.0.0.1\nlistener " + api1 + " 127.0.0.1\nprotocol http_api\n");
        int mqtt2 = freePort();
        start("n2.conf", cluster + "cluster_node_id n2\ncluster_bind 127.0.0.1:" + bind2 + "\nlistener " + mqtt2
                + " 127.0.0.1\n");
        Map<String, String> sys = subscribe(mqtt1, "$SYS/broker/cluster/#");

        await("two nodes in $SYS", () -> "2".equals(sys.get("$SYS/broker/cluster/nodes")));
        await("a Raft leader in $SYS", () -> sys.get("$SYS/broker/cluster/leader") != null
                && !"none".equals(sys.get("$SYS/broker/cluster/leader")));
        assertThat(sys).containsEntry("$SYS/broker/cluster/node", "n1").containsEntry("$SYS/broker/cluster/name", "visible")
                .containsEntry("$SYS/broker/cluster/nodes/n2/up", "1").containsEntry("$SYS/broker/cluster/majority", "1")
                .containsKey("$SYS/broker/cluster/links/n2/routes");
        subscribe(mqtt2, "plant/+/temperature");
        await("n2's route counted on n1", () -> "1".equals(sys.get("$SYS/broker/cluster/links/n2/routes")));
        String json = get(api1, "/api/v1/cluster").body();
        assertThat(json).startsWith("{\"enabled\":true,\"name\":\"visible\",\"node\":\"n1\",")
                .contains("{\"node\":\"n1\",\"up\":true,\"self\":true,")
                .contains("{\"node\":\"n2\",\"up\":true,\"self\":false,")
                .contains("\"majority\":true").contains("\"links\":[{\"node\":\"n2\",\"routes\":1");
        assertThat(get(api1, "/metrics").body()).contains("starling_cluster_nodes{node=\"n1\"} 2.0")
                .contains("starling_cluster_majority{node=\"n1\"} 1.0")
                .contains("starling_cluster_routes{node=\"n1\",peer=\"n2\"} 1.0");
    }

    private Broker start(String name, String config) throws Exception {
        Broker broker = Broker.start(ConfigFile.read(Files.writeString(dir.resolve(name), config)));
        brokers.add(broker);
        return broker;
    }

    /** Every retained or live message of {@code filter}, topic -> last payload. */
    private Map<String, String> subscribe(int port, String filter) throws Exception {
        Map<String, String> seen = new ConcurrentHashMap<>();
        Mqtt5AsyncClient client = Mqtt5Client.builder().identifier("sys-" + port).serverHost("127.0.0.1")
                .serverPort(port).buildAsync();
        clients.add(client);
        client.connect().get(10, TimeUnit.SECONDS);
        client.subscribeWith().topicFilter(filter).qos(MqttQos.AT_MOST_ONCE)
                .callback(p -> seen.put(p.getTopic().toString(), new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)))
                .send().get(10, TimeUnit.SECONDS);
        return seen;
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Await.until(Duration.ofSeconds(60), what, condition);
    }
}
