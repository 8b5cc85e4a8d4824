package io.starling.broker.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Ports for cluster nodes in tests. */
public final class ClusterPorts {
    private ClusterPorts() {
    }

    /**
     * A free loopback port whose FD_SOCK2 companion (port + 50, which JGroups' failure detection
     * listens on) is free too.
     */
    public static int freePort() throws IOException {
        while (true) {
            int candidate;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                candidate = s.getLocalPort();
            }
            if (candidate + 200 > 65535) {
                continue;
            }
            try (ServerSocket ignored = new ServerSocket(candidate + 50, 1, InetAddress.getLoopbackAddress())) {
                return candidate;
            } catch (IOException taken) {
                // another one
            }
        }
    }
}
