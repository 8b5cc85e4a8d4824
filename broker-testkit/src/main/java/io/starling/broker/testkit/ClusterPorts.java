package io.starling.broker.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for cluster nodes in tests: chosen before the nodes start (each node lists the others' ports), so
 * they are taken from below the kernel's ephemeral range. A port the kernel handed out for {@code bind(0)}
 * could, by the time its node binds it, be the local port of an outgoing connection (JGroups and the node
 * links connect while other nodes start): both draw from the ephemeral range.
 */
public final class ClusterPorts {
    private static final int LOWEST = 10_000;
    /** Ports handed out in this JVM: never twice, whatever the kernel says of them by then. */
    private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

    private ClusterPorts() {
    }

    /**
     * A free loopback port below the ephemeral range whose FD_SOCK2 companions (port + 50 to + 52, where
     * JGroups' failure detection listens) are free too.
     */
    public static int freePort() throws IOException {
        int below = ephemeralStart() - 100;
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int candidate = ThreadLocalRandom.current().nextInt(LOWEST, below);
            if (free(candidate) && free(candidate + 50) && free(candidate + 51) && free(candidate + 52)
                    && GIVEN.add(candidate)) {
                return candidate;
            }
        }
        throw new IOException("no free port pair found between " + LOWEST + " and " + below);
    }

    private static boolean free(int port) {
        try (ServerSocket ignored = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    /** The first port of {@code net.ipv4.ip_local_port_range} (32768 where it cannot be read). */
    private static int ephemeralStart() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            int start = Integer.parseInt(range.split("\\s+")[0]);
            return start > LOWEST + 1_000 ? start : 32_768;
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
