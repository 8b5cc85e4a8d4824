package io.starling.broker.cluster.membership;

import io.starling.broker.config.ClusterSettings;
import io.starling.broker.config.ClusterSettings.HostPort;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
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
            addresses.add(new HostPort("127.0.0.1", freePort()));
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
     * A port free now on 127.0.0.1 whose FD_SOCK2 companion (port + 50) is free as well; picked from
     * below the ephemeral range's usual start so that FD_SOCK2's port does not overflow.
     */
    static int freePort() throws IOException {
        while (true) {
            int candidate;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                candidate = s.getLocalPort();
            }
            if (candidate + 200 > 65535) {
                continue;
            }
            try (ServerSocket ignored = new ServerSocket(candidate + ClusterSettings.FAILURE_DETECTION_PORT_OFFSET, 1, InetAddress.getLoopbackAddress())) {
                return candidate;
            } catch (IOException taken) {
                // try another
            }
        }
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
