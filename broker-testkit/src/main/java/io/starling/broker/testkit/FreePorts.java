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
 * Ports for brokers and cluster nodes in tests, chosen before they start (a config file names the port,
 * each node lists the others'). They are taken from below the kernel's ephemeral range: a port the kernel
 * handed out for {@code bind(0)} could, by the time its broker binds it, be the local port of an outgoing
 * connection (clients, JGroups and the node links connect meanwhile), since both draw from that range.
 */
public final class FreePorts {
    private static final int LOWEST = 10_000;
    /** Ports handed out in this JVM: never twice, whatever the kernel says of them by then. */
    private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    /**
     * A free loopback port below the ephemeral range whose FD_SOCK2 companions (port + 50 to + 52, where
     * JGroups' failure detection listens) are free too.
     */
    public static int freePort() throws IOException {
        return freePort(InetAddress.getLoopbackAddress());
    }

    /** {@link #freePort()} on {@code host} (127.0.0.2, a namespace's address). */
    public static int freePort(String host) throws IOException {
        return freePort(InetAddress.getByName(host));
    }

    private static int freePort(InetAddress host) throws IOException {
        int below = ephemeralStart() - 100;
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int candidate = ThreadLocalRandom.current().nextInt(LOWEST, below);
            if (free(host, candidate) && free(host, candidate + 50) && free(host, candidate + 51)
                    && free(host, candidate + 52) && GIVEN.add(candidate)) {
                return candidate;
            }
        }
        throw new IOException("no free port found on " + host + " between " + LOWEST + " and " + below);
    }

    private static boolean free(InetAddress host, int port) {
        try (ServerSocket ignored = new ServerSocket(port, 1, host)) {
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
