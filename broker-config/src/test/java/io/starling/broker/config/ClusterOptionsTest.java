package io.starling.broker.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.config.ClusterSettings.HostPort;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClusterOptionsTest extends ConfigTestSupport {

    @Test
    void connectWithoutMajority_isOffByDefault_andRefusesAnythingButABoolean() throws Exception {
        assertThat(read("cluster_node_id n1\n").cluster().connectWithoutMajority()).isFalse();
        assertThat(read("cluster_node_id n1\ncluster_connect_without_majority false\n").cluster()
                .connectWithoutMajority()).isFalse();
        assertThat(error("cluster_node_id n1\ncluster_connect_without_majority maybe\n"))
                .contains("cluster_connect_without_majority").contains(":2");
    }

    @Test
    void clientLease_isOffByDefault_andZeroTurnsItOff() throws Exception {
        assertThat(read("cluster_node_id n1\n").cluster().clientLease()).isZero();
        assertThat(read("cluster_node_id n1\ncluster_client_lease 0\n").cluster().clientLease()).isZero();
        assertThat(read("cluster_node_id n1\ncluster_client_lease 30s\n").cluster().clientLease())
                .isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void clientLease_shorterThanTwiceFailureDetection_namesTheLineAndBothTimeouts() throws Exception {
        String e = error("cluster_node_id n1\ncluster_failure_timeout 10s\ncluster_client_lease 23s\n");

        assertThat(e).contains(":3").contains("cluster_client_lease (23000 ms) must be at least twice "
                + "cluster_failure_timeout + cluster_suspect_timeout (24000 ms)");
        assertThat(read("cluster_node_id n1\ncluster_failure_timeout 10s\ncluster_client_lease 24s\n").cluster()
                .clientLease()).isEqualTo(Duration.ofSeconds(24));
    }

    @Test
    void clientLease_withConnectWithoutMajority_isRefused() throws Exception {
        assertThat(error("cluster_node_id n1\ncluster_client_lease 30s\ncluster_connect_without_majority true\n"))
                .contains(":2").contains("cannot be used with cluster_connect_without_majority true");
    }

    @Test
    void clientLease_thatIsNotADuration_isRefused() throws Exception {
        assertThat(error("cluster_node_id n1\ncluster_client_lease soon\n")).contains("cluster_client_lease").contains(":2");
    }

    @Test
    void noClusterLine_isASingleNode() throws Exception {
        assertThat(read("listener 1883\n").cluster()).isNull();
        assertThat(BrokerConfig.defaults().cluster()).isNull();
    }

    @Test
    void everyClusterOption_isRead() throws Exception {
        ClusterSettings c = read("""
                cluster_name prod
                cluster_node_id n1
                cluster_bind 10.0.0.1:7800
                cluster_peer 10.0.0.2:7800
                cluster_peer [fd00::3]:7801
                cluster_raft_members n1,n2, n3
                cluster_link_port 7901
                cluster_tls_cafile /etc/starling/ca.pem
                cluster_tls_certfile /etc/starling/n1.pem
                cluster_tls_keyfile /etc/starling/n1.key
                cluster_heartbeat_interval 500ms
                cluster_failure_timeout 3s
                cluster_suspect_timeout 1500ms
                cluster_merge_interval 20
                cluster_raft_timeout 2500ms
                cluster_connect_without_majority true
                """).cluster();

        assertThat(c).isEqualTo(new ClusterSettings("prod", "n1", new HostPort("10.0.0.1", 7800),
                List.of(new HostPort("10.0.0.2", 7800), new HostPort("fd00::3", 7801)), List.of("n1", "n2", "n3"), 7901,
                new ClusterSettings.Tls(Path.of("/etc/starling/ca.pem"), Path.of("/etc/starling/n1.pem"),
                        Path.of("/etc/starling/n1.key")),
                Duration.ofMillis(500), Duration.ofSeconds(3), Duration.ofMillis(1500), Duration.ofSeconds(20),
                Duration.ofMillis(2500), true));
        assertThat(c.peers().get(1)).hasToString("[fd00::3]:7801");
    }

    @Test
    void oneClusterLine_givesAOneMemberClusterWithTheDefaults() throws Exception {
        ClusterSettings c = read("cluster_node_id solo\n").cluster();

        assertThat(c).isEqualTo(ClusterSettings.single("solo"));
        assertThat(c.bind()).isEqualTo(new HostPort("127.0.0.1", 7800));
        assertThat(c.raftMembers()).containsExactly("solo");
        assertThat(c.linkPort()).isEqualTo(7900);
        assertThat(c.failureTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.heartbeatInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.suspectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.raftTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.tls()).isNull();
    }

    @Test
    void nodeId_defaultsToTheHostName() throws Exception {
        String host = InetAddress.getLocalHost().getHostName();

        ClusterSettings c = read("cluster_name prod\n").cluster();

        assertThat(c.nodeId()).isEqualTo(host);
        assertThat(c.raftMembers()).containsExactly(host);
    }

    @Test
    void defaultLinkPort_isNotAPortOfTheDefaultFailureDetection() {
        int from = ClusterSettings.DEFAULT_BIND.port() + ClusterSettings.FAILURE_DETECTION_PORT_OFFSET;
        int to = from + ClusterSettings.FAILURE_DETECTION_PORTS - 1;
        assertThat(ClusterSettings.DEFAULT_LINK_PORT < from || ClusterSettings.DEFAULT_LINK_PORT > to)
                .as("default link port %d outside %d-%d", ClusterSettings.DEFAULT_LINK_PORT, from, to).isTrue();
    }

    @Test
    void linkPortAmongTheFailureDetectionPorts_isAnErrorAtTheLinkPortLine() throws Exception {
        assertThat(error("""
                cluster_node_id n1
                cluster_bind 10.0.0.1:7800
                cluster_link_port 7851
                """)).isEqualTo(errorAt(3, "cluster_link_port 7851 is one of the ports the cluster's failure detection "
                + "listens on (cluster_bind's port + 50 to + 52: 7850-7852): choose another port."));
    }

    @Test
    void peersWithoutRaftMembers_isAnErrorAtThePeerLine() throws Exception {
        assertThat(error("""
                cluster_node_id n1
                cluster_bind 10.0.0.1:7800
                cluster_peer 10.0.0.2:7800
                """)).isEqualTo(errorAt(3, "cluster_peer needs cluster_raft_members: the node ids of the cluster's voting members."));
    }

    @Test
    void peersWithoutBind_isAnErrorAtThePeerLine() throws Exception {
        assertThat(error("""
                cluster_node_id n1
                cluster_raft_members n1,n2
                cluster_peer 10.0.0.2:7800
                """)).isEqualTo(errorAt(3, "cluster_peer needs cluster_bind: the address the other nodes reach this node at."));
    }

    @Test
    void raftMembersWithoutThisNode_isAnErrorAtTheirLine() throws Exception {
        assertThat(error("""
                cluster_node_id n1
                cluster_bind 10.0.0.1:7800
                cluster_raft_members n2,n3
                cluster_peer 10.0.0.2:7800
                """)).isEqualTo(errorAt(3, "cluster_raft_members (n2,n3) must contain this node's id (n1, cluster_node_id)."));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.1", "10.0.0.1:", ":7800", "10.0.0.1:0", "10.0.0.1:65536", "10.0.0.1:78x",
            "fd00::1:7800", "[fd00::1]7800"})
    void badHostPort_isAnError(String value) throws Exception {
        assertThat(error("cluster_bind " + value + "\n")).isEqualTo(errorAt(1, "Invalid cluster_bind value (" + value
                + "): expected host:port with a port from 1 to 65535 ([address]:port for IPv6)."));
        assertThat(error("cluster_peer " + value + "\n")).startsWith(errorAt(1, "Invalid cluster_peer value ("));
    }

    @Test
    void duplicatePeer_isAnError() throws Exception {
        assertThat(error("""
                cluster_peer a:7800
                cluster_peer a:7800
                """)).isEqualTo(errorAt(2, "Duplicate cluster_peer a:7800 (first given at " + main() + ":1)."));
    }

    @Test
    void badRaftMembers_areErrors() throws Exception {
        assertThat(error("cluster_raft_members a,,b\n")).isEqualTo(errorAt(1,
                "Invalid cluster_raft_members value (a,,b): a node id must not be empty."));
        assertThat(error("cluster_raft_members a,b,a\n")).isEqualTo(errorAt(1,
                "Invalid cluster_raft_members value (a,b,a): a node id is listed twice."));
        assertThat(error("cluster_node_id a b\n")).isEqualTo(errorAt(1,
                "Invalid cluster_node_id value (a b): a node id must not contain commas, spaces or control characters."));
    }

    @Test
    void partialTls_isAnError() throws Exception {
        assertThat(error("""
                cluster_node_id n1
                cluster_tls_certfile /c.pem
                cluster_tls_keyfile /k.pem
                """)).isEqualTo(errorAt(2, "Cluster TLS needs cluster_tls_cafile, cluster_tls_certfile and "
                + "cluster_tls_keyfile; cluster_tls_cafile is missing."));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1s", "10min", "1.5s", "ms"})
    void badDuration_isAnError(String value) throws Exception {
        assertThat(error("cluster_failure_timeout " + value + "\n")).isEqualTo(errorAt(1,
                "Invalid cluster_failure_timeout value (" + value + "): expected a positive duration such as 500ms or 10s."));
    }

    @Test
    void failureTimeoutNotLongerThanHeartbeat_isAnError() throws Exception {
        assertThat(error("""
                cluster_node_id n1
                cluster_heartbeat_interval 5s
                cluster_failure_timeout 5000ms
                """)).isEqualTo(errorAt(3, "cluster_failure_timeout (5000 ms) must be longer than cluster_heartbeat_interval (5000 ms)."));
    }

    @Test
    void repeatedTextOption_isAnError() throws Exception {
        assertThat(error("""
                cluster_node_id n1
                cluster_node_id n2
                """)).isEqualTo(errorAt(2, "Duplicate cluster_node_id value in configuration (first given at " + main() + ":1)."));
    }

    @Test
    void clusterLimits_areReadWithTheirDefaults() throws Exception {
        assertThat(read("cluster_node_id solo\n").cluster().limits()).isEqualTo(ClusterSettings.Limits.DEFAULTS);
        assertThat(ClusterSettings.Limits.DEFAULTS).isEqualTo(new ClusterSettings.Limits(8 << 20, 64L << 20, 100_000,
                1_000_000));

        ClusterSettings c = read("""
                cluster_node_id solo
                cluster_link_max_queued_bytes 1048576
                cluster_link_max_unacked_bytes 8589934592
                cluster_max_held_routes_per_node 10
                cluster_max_held_routes 20
                """).cluster();

        assertThat(c.limits()).isEqualTo(new ClusterSettings.Limits(1 << 20, 8L << 30, 10, 20));
    }

    @ParameterizedTest
    @ValueSource(strings = {"cluster_link_max_queued_bytes 1023", "cluster_link_max_queued_bytes 2147483648",
            "cluster_link_max_queued_bytes 1M", "cluster_link_max_unacked_bytes 0", "cluster_max_held_routes_per_node 0",
            "cluster_max_held_routes -1"})
    void badClusterLimit_isAnErrorAtItsLine(String line) throws Exception {
        String[] kv = line.split(" ");
        assertThat(error("cluster_node_id solo\n" + line + "\n"))
                .isEqualTo(errorAt(2, "Invalid " + kv[0] + " value (" + kv[1] + ")."));
    }

    @Test
    void linkPortZero_isAllowedForAnyFreePort() throws Exception {
        assertThat(read("cluster_node_id n1\ncluster_link_port 0\n").cluster().linkPort()).isZero();
        assertThat(error("cluster_link_port 70000\n")).isEqualTo(errorAt(1, "Invalid cluster_link_port value (70000)."));
    }
}
