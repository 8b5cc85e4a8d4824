package io.starling.broker.cluster.membership;

import io.starling.broker.config.ClusterSettings;
import io.starling.broker.config.ClusterSettings.HostPort;
import io.starling.broker.testkit.FreePorts;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Settings for n nodes on loopback ports of one JVM, with timeouts that suit a loaded 2-core machine. */
public final class TestNodes {
    private TestNodes() {
    }

    /** n nodes named n1..nn, each listing all as peers and Raft members, on free loopback ports. */
    public static List<ClusterSettings> settings(String clusterName, int n) throws IOException {
        List<HostPort> addresses = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            addresses.add(new HostPort("127.0.0.1", FreePorts.freePort()));
            ids.add("n" + i);
        }
        List<ClusterSettings> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new ClusterSettings(clusterName, ids.get(i), addresses.get(i), addresses, ids, 0, null,
                    Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(2), Duration.ofSeconds(3)));
        }
        return out;
    }

    /**
     * {@link #settings}, with failure detection fast enough for a test that waits for it: heartbeats every
     * 500 ms, failure after 3 s, suspicion confirmed within 1 s, merges every 3 s at most.
     */
    public static List<ClusterSettings> fastDetection(String clusterName, int n) throws IOException {
        List<ClusterSettings> fast = new ArrayList<>();
        for (ClusterSettings s : settings(clusterName, n)) {
            fast.add(new ClusterSettings(s.name(), s.nodeId(), s.bind(), s.peers(), s.raftMembers(), 0, null,
                    Duration.ofMillis(500), Duration.ofSeconds(3), Duration.ofSeconds(1), Duration.ofSeconds(3)));
        }
        return fast;
    }

    /** Waits until {@code condition} holds; fails after {@code timeout}. */
    public static void await(Duration timeout, String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(10);
        }
    }
}
