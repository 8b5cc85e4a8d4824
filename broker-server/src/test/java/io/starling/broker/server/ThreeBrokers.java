package io.starling.broker.server;

import static io.starling.broker.testkit.FreePorts.freePort;

import io.starling.broker.cluster.NodeId;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.ClusterSettings;
import io.starling.broker.config.ClusterSettings.HostPort;
import io.starling.broker.config.ListenerConfig;
import io.starling.broker.testkit.Await;
import io.starling.broker.testkit.Concurrently;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;

/**
 * Three brokers a, b and c of one cluster, started with {@code Broker.start} and cluster settings on loopback
 * ports (everything wired as in production), with timeouts raised for two loaded cores.
 */
final class ThreeBrokers {
    static final NodeId A = new NodeId("a");
    static final NodeId B = new NodeId("b");
    static final NodeId C = new NodeId("c");
    private static final List<NodeId> IDS = List.of(A, B, C);

    private ThreeBrokers() {
    }

    /**
     * Starts a, b and c of cluster {@code name} together (each start waits for a Raft leader, which takes two),
     * and returns them once they are in one view, linked each to each, and know a Raft leader.
     */
    static List<Broker> start(String name, Duration wait) throws Exception {
        return start(name, wait, UnaryOperator.identity());
    }

    /** As {@link #start(String, Duration)}, with each node's settings changed by {@code tweak} first. */
    static List<Broker> start(String name, Duration wait, UnaryOperator<ClusterSettings> tweak) throws Exception {
        List<HostPort> addresses = List.of(new HostPort("127.0.0.1", freePort()), new HostPort("127.0.0.1", freePort()),
                new HostPort("127.0.0.1", freePort()));
        List<String> ids = IDS.stream().map(NodeId::name).toList();
        List<Callable<Broker>> starting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ClusterSettings settings = tweak.apply(new ClusterSettings(name, ids.get(i), addresses.get(i), addresses, ids,
                    0, null, Duration.ofSeconds(1), Duration.ofSeconds(15), Duration.ofSeconds(3), Duration.ofSeconds(5),
                    Duration.ofSeconds(10)));
            starting.add(() -> Broker.start(BrokerConfig.defaults().withCluster(settings)
                    .withListeners(List.of(new ListenerConfig(0, "127.0.0.1"))).withAllowAnonymous(true)));
        }
        List<Broker> brokers = Concurrently.all(wait.multipliedBy(3), starting, Broker::close);
        try {
            Await.until(wait, "one view of three", () -> brokers.stream().allMatch(x -> x.cluster().channel().members().size() == 3));
            Await.until(wait, "links up", () -> brokers.stream().allMatch(ThreeBrokers::linkedToTheOthers));
            RaftLeaders.await(wait, brokers);
        } catch (AssertionError | InterruptedException e) {
            brokers.forEach(Broker::close);
            throw e;
        }
        return brokers;
    }

    /** The routes {@code at} holds for {@code node}: filter (or {@code $share/g/filter}) → count. */
    static Map<String, Integer> routesOf(Broker at, NodeId node) {
        return at.cluster().routes().remoteRoutes().getOrDefault(node, Map.of());
    }

    private static boolean linkedToTheOthers(Broker broker) {
        NodeId self = broker.cluster().links().self();
        return IDS.stream().filter(id -> !id.equals(self)).allMatch(id -> broker.cluster().links().isConnected(id));
    }
}
