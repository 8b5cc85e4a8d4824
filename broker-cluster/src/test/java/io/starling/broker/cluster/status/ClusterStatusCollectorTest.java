package io.starling.broker.cluster.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.cluster.NodeId;
import io.starling.broker.cluster.membership.ClusterChannel;
import io.starling.broker.cluster.membership.TestNodes;
import io.starling.broker.cluster.routes.RouteTable;
import io.starling.broker.config.ClusterSettings;
import io.starling.broker.core.routing.Subscriber;
import io.starling.broker.core.routing.SubscriberOptions;
import io.starling.broker.core.topic.SubscriptionTree;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The snapshot read from real channels: members up and down, the majority of the Raft members, the leader. */
@Timeout(120)
class ClusterStatusCollectorTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private ClusterStatusSource node(ClusterSettings settings) throws Exception {
        ClusterChannel channel = new ClusterChannel(settings, null);
        open.add(channel);
        RouteTable routes = RouteTable.start(channel, new SubscriptionTree<Subscriber, SubscriberOptions>(), null);
        open.add(routes);
        channel.connect();
        return new ClusterStatusCollector(channel, routes, null, null, null);
    }

    @Test
    void oneOfThreeRaftMembers_isUpAlone_withoutMajorityOrLeader_thenTwoHaveBoth() throws Exception {
        List<ClusterSettings> three = TestNodes.settings("status", 3);
        ClusterStatusSource n1 = node(three.get(0));

        ClusterStatus alone = n1.status();

        assertThat(alone.self()).isEqualTo(new NodeId("n1"));
        assertThat(alone.clusterName()).isEqualTo("status");
        assertThat(alone.members()).containsExactly(new ClusterStatus.Member(new NodeId("n1"), true),
                new ClusterStatus.Member(new NodeId("n2"), false), new ClusterStatus.Member(new NodeId("n3"), false));
        assertThat(alone.majority()).isFalse();
        assertThat(alone.leader()).isNull();
        assertThat(alone.linksWired()).isFalse();
        assertThat(alone.registeredClients()).isEqualTo(-1);
        assertThat(alone.links()).extracting(ClusterStatus.Link::node).containsExactly(new NodeId("n2"), new NodeId("n3"));

        ClusterStatusSource n2 = node(three.get(1));
        TestNodes.await(WAIT, "two up with a leader", () -> {
            ClusterStatus s = n1.status();
            return s.membersUp() == 2 && s.majority() && s.leader() != null;
        });
        ClusterStatus other = n2.status();
        assertThat(other.majority()).isTrue();
        assertThat(other.members()).contains(new ClusterStatus.Member(new NodeId("n1"), true),
                new ClusterStatus.Member(new NodeId("n3"), false));
    }
}
