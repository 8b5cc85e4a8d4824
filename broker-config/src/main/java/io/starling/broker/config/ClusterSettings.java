package io.starling.broker.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * The {@code cluster_*} options (Starling's own): this node's part in a cluster of brokers. Absent
 * ({@link BrokerConfig#cluster()} null) when the file has no cluster line: the broker is a single node
 * with no cluster threads or ports.
 *
 * @param name              {@code cluster_name}: nodes with another name never join this cluster
 * @param nodeId            {@code cluster_node_id} (default: the host name): the node's JGroups name and
 *                          Raft id; unique in the cluster and the same across restarts
 * @param bind              {@code cluster_bind host:port}: where the members' protocol listens, and the
 *                          address the other nodes reach this one at
 * @param peers             {@code cluster_peer host:port}, repeatable: the members to look for at start
 *                          (static discovery); empty for a one-node cluster
 * @param raftMembers       {@code cluster_raft_members id,id,...}: the node ids that vote in Raft (the
 *                          client-id registry, retained messages). Contains {@code nodeId}
 * @param linkPort          {@code cluster_link_port}: the port of the node links that carry PUBLISH
 *                          between nodes, on {@code bind}'s host; 0 for any free port (tests)
 * @param tls               {@code cluster_tls_cafile/certfile/keyfile}, or null: members and links unencrypted
 * @param heartbeatInterval {@code cluster_heartbeat_interval}: how often a member says it is alive
 * @param failureTimeout    {@code cluster_failure_timeout}: a member not heard from for this long is suspected
 * @param suspectTimeout    {@code cluster_suspect_timeout}: how long a suspected member has to answer
 *                          before it is removed from the view
 * @param mergeInterval     {@code cluster_merge_interval}: at most this long between two looks for
 *                          another partition to merge with
 * @param raftTimeout       {@code cluster_raft_timeout}: how long a Raft write (a client id's claim at
 *                          CONNECT, a retained message) may take to commit before it fails
 * @param connectWithoutMajority {@code cluster_connect_without_majority}: UNSAFE when true. A CONNECT is
 *                          accepted when the client-id registry cannot grant its id (no Raft majority):
 *                          during a partition two live sessions with one client id are then possible
 * @param limits            the byte bounds of node links and the bound of held route announcements
 * @param clientLease       {@code cluster_client_lease}: zero (off), or how long a node keeps its client
 *                          connections without being in touch with a Raft majority; a node that takes a
 *                          client id over from a node it cannot reach waits as long before it answers, so
 *                          that two connections never hold one client id. At least twice the failure
 *                          and suspect timeouts together ({@link #minimumClientLease}); not with
 *                          {@code connectWithoutMajority}
 */
public record ClusterSettings(String name, String nodeId, HostPort bind, List<HostPort> peers, List<String> raftMembers,
                              int linkPort, Tls tls, Duration heartbeatInterval, Duration failureTimeout,
                              Duration suspectTimeout, Duration mergeInterval, Duration raftTimeout,
                              boolean connectWithoutMajority, Limits limits, Duration clientLease) {
    public static final String DEFAULT_NAME = "starling";
    public static final HostPort DEFAULT_BIND = new HostPort("127.0.0.1", 7800);
    public static final int DEFAULT_LINK_PORT = 7900;
    /**
     * JGroups' failure detection (FD_SOCK2) listens on the first free port of {@code cluster_bind}'s port
     * + this to + this + {@link #FAILURE_DETECTION_PORTS} - 1. Not JGroups' default of 100: with the default
     * {@code cluster_bind} port 7800 that is 7900, the default link port, and the other nodes' failure
     * detection then connected to the link port.
     */
    public static final int FAILURE_DETECTION_PORT_OFFSET = 50;
    public static final int FAILURE_DETECTION_PORTS = 3;
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(2);
    public static final Duration DEFAULT_FAILURE_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_SUSPECT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_MERGE_INTERVAL = Duration.ofSeconds(15);
    public static final Duration DEFAULT_RAFT_TIMEOUT = Duration.ofSeconds(5);

    /** Without client leases. */
    public ClusterSettings(String name, String nodeId, HostPort bind, List<HostPort> peers, List<String> raftMembers,
                           int linkPort, Tls tls, Duration heartbeatInterval, Duration failureTimeout,
                           Duration suspectTimeout, Duration mergeInterval, Duration raftTimeout,
                           boolean connectWithoutMajority, Limits limits) {
        this(name, nodeId, bind, peers, raftMembers, linkPort, tls, heartbeatInterval, failureTimeout, suspectTimeout,
                mergeInterval, raftTimeout, connectWithoutMajority, limits, Duration.ZERO);
    }

    /** With the default {@link Limits}. */
    public ClusterSettings(String name, String nodeId, HostPort bind, List<HostPort> peers, List<String> raftMembers,
                           int linkPort, Tls tls, Duration heartbeatInterval, Duration failureTimeout,
                           Duration suspectTimeout, Duration mergeInterval, Duration raftTimeout,
                           boolean connectWithoutMajority) {
        this(name, nodeId, bind, peers, raftMembers, linkPort, tls, heartbeatInterval, failureTimeout, suspectTimeout,
                mergeInterval, raftTimeout, connectWithoutMajority, Limits.DEFAULTS);
    }

    /** With the default {@code cluster_raft_timeout}. */
    public ClusterSettings(String name, String nodeId, HostPort bind, List<HostPort> peers, List<String> raftMembers,
                           int linkPort, Tls tls, Duration heartbeatInterval, Duration failureTimeout,
                           Duration suspectTimeout, Duration mergeInterval) {
        this(name, nodeId, bind, peers, raftMembers, linkPort, tls, heartbeatInterval, failureTimeout, suspectTimeout,
                mergeInterval, DEFAULT_RAFT_TIMEOUT);
    }

    /** Refusing CONNECT without a majority ({@code cluster_connect_without_majority false}). */
    public ClusterSettings(String name, String nodeId, HostPort bind, List<HostPort> peers, List<String> raftMembers,
                           int linkPort, Tls tls, Duration heartbeatInterval, Duration failureTimeout,
                           Duration suspectTimeout, Duration mergeInterval, Duration raftTimeout) {
        this(name, nodeId, bind, peers, raftMembers, linkPort, tls, heartbeatInterval, failureTimeout, suspectTimeout,
                mergeInterval, raftTimeout, false);
    }

    public ClusterSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bind, "bind");
        peers = List.copyOf(peers);
        raftMembers = List.copyOf(raftMembers);
        String bad = invalidNodeIdReason(nodeId);
        if (bad != null) {
            throw new IllegalArgumentException(bad + ": " + nodeId);
        }
        if (!raftMembers.contains(nodeId)) {
            throw new IllegalArgumentException("raftMembers " + raftMembers + " must contain the node id " + nodeId);
        }
        if (new HashSet<>(raftMembers).size() != raftMembers.size()) {
            throw new IllegalArgumentException("raftMembers has a duplicate: " + raftMembers);
        }
        if (linkPort < 0 || linkPort > 65535) {
            throw new IllegalArgumentException("linkPort out of range: " + linkPort);
        }
        positive(heartbeatInterval, "heartbeatInterval");
        positive(failureTimeout, "failureTimeout");
        positive(suspectTimeout, "suspectTimeout");
        positive(mergeInterval, "mergeInterval");
        positive(raftTimeout, "raftTimeout");
        Objects.requireNonNull(limits, "limits");
        if (failureTimeout.compareTo(heartbeatInterval) <= 0) {
            throw new IllegalArgumentException("failureTimeout must be longer than heartbeatInterval");
        }
        Objects.requireNonNull(clientLease, "clientLease");
        if (clientLease.isNegative()) {
            throw new IllegalArgumentException("clientLease must not be negative: " + clientLease);
        }
        if (!clientLease.isZero() && clientLease.compareTo(minimumClientLease(failureTimeout, suspectTimeout)) < 0) {
            throw new IllegalArgumentException("clientLease must be at least twice failureTimeout + suspectTimeout");
        }
        if (!clientLease.isZero() && connectWithoutMajority) {
            throw new IllegalArgumentException("clientLease and connectWithoutMajority exclude each other");
        }
    }

    /**
     * The shortest {@code cluster_client_lease}: twice the failure detection. A leader that is cut off is
     * replaced only after failure detection, the view change and a vote (measured up to 17.5 s with 10 s + 3 s),
     * and no node's lease can be renewed meanwhile: a shorter lease would close every connection of the cluster.
     */
    public static Duration minimumClientLease(Duration failureTimeout, Duration suspectTimeout) {
        return failureTimeout.plus(suspectTimeout).multipliedBy(2);
    }

    /** These settings with {@code cluster_client_lease} {@code lease} (zero: off). */
    public ClusterSettings withClientLease(Duration lease) {
        return new ClusterSettings(name, nodeId, bind, peers, raftMembers, linkPort, tls, heartbeatInterval,
                failureTimeout, suspectTimeout, mergeInterval, raftTimeout, connectWithoutMajority, limits, lease);
    }

    /** A one-node cluster with the defaults; for tests and as the parser's starting point. */
    public static ClusterSettings single(String nodeId) {
        return new ClusterSettings(DEFAULT_NAME, nodeId, DEFAULT_BIND, List.of(), List.of(nodeId), DEFAULT_LINK_PORT,
                null, DEFAULT_HEARTBEAT_INTERVAL, DEFAULT_FAILURE_TIMEOUT, DEFAULT_SUSPECT_TIMEOUT,
                DEFAULT_MERGE_INTERVAL);
    }

    /**
     * Why {@code id} cannot be a node id, or null when it can: it is a JGroups name and a Raft id, listed
     * comma-separated in {@code cluster_raft_members}, so no commas and no white space.
     */
    public static String invalidNodeIdReason(String id) {
        if (id == null || id.isEmpty()) {
            return "a node id must not be empty";
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c == ',' || Character.isWhitespace(c) || Character.isISOControl(c)) {
                return "a node id must not contain commas, spaces or control characters";
            }
        }
        return null;
    }

    private static void positive(Duration d, String what) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive: " + d);
        }
    }

    /** A host (name or literal address) and a port, as {@code host:port} (IPv6: {@code [addr]:port}). */
    public record HostPort(String host, int port) {
        public HostPort {
            Objects.requireNonNull(host, "host");
            if (host.isEmpty()) {
                throw new IllegalArgumentException("empty host");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
        }

        /**
         * Parses {@code host:port} or {@code [ipv6]:port}.
         *
         * @return null when {@code text} is not of that form or the port is not 1-65535 ({@code allowZero}: 0-65535)
         */
        public static HostPort parse(String text, boolean allowZero) {
            String host;
            String port;
            if (text.startsWith("[")) {
                int close = text.indexOf("]:");
                if (close < 2) {
                    return null;
                }
                host = text.substring(1, close);
                port = text.substring(close + 2);
            } else {
                int colon = text.lastIndexOf(':');
                if (colon <= 0 || text.indexOf(':') != colon) {
                    return null; // no port, or a bare IPv6 address without brackets
                }
                host = text.substring(0, colon);
                port = text.substring(colon + 1);
            }
            if (!port.matches("[0-9]{1,5}") || host.isBlank()) {
                return null;
            }
            int n = Integer.parseInt(port);
            if (n > 65535 || (n == 0 && !allowZero)) {
                return null;
            }
            return new HostPort(host, n);
        }

        @Override
        public String toString() {
            return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
        }
    }

    /**
     * The cluster's memory bounds (Starling's own options).
     *
     * @param linkMaxQueuedBytes     {@code cluster_link_max_queued_bytes}: bytes waiting to be sent on one node
     *                               link (its write buffer); above it QoS 0 messages for that node are dropped
     * @param linkMaxUnackedBytes    {@code cluster_link_max_unacked_bytes}: payload bytes of QoS 1/2 messages
     *                               forwarded to one node and not yet acknowledged; past it they are dropped
     *                               for that node
     * @param maxHeldRoutesPerNode   {@code cluster_max_held_routes_per_node}: filters announced by one node not
     *                               yet in this node's view, held until the next view
     * @param maxHeldRoutes          {@code cluster_max_held_routes}: the same, all such nodes together
     */
    public record Limits(int linkMaxQueuedBytes, long linkMaxUnackedBytes, int maxHeldRoutesPerNode, int maxHeldRoutes) {
        public static final int DEFAULT_LINK_MAX_QUEUED_BYTES = 8 << 20;
        public static final long DEFAULT_LINK_MAX_UNACKED_BYTES = 64L << 20;
        public static final int DEFAULT_MAX_HELD_ROUTES_PER_NODE = 100_000;
        public static final int DEFAULT_MAX_HELD_ROUTES = 1_000_000;
        public static final Limits DEFAULTS = new Limits(DEFAULT_LINK_MAX_QUEUED_BYTES, DEFAULT_LINK_MAX_UNACKED_BYTES,
                DEFAULT_MAX_HELD_ROUTES_PER_NODE, DEFAULT_MAX_HELD_ROUTES);
        /** The smallest byte bound of a link: one frame's header and a little payload. */
        public static final int MIN_LINK_BYTES = 1024;

        public Limits {
            if (linkMaxQueuedBytes < MIN_LINK_BYTES || linkMaxUnackedBytes < MIN_LINK_BYTES || maxHeldRoutesPerNode < 1
                    || maxHeldRoutes < 1) {
                throw new IllegalArgumentException("invalid cluster limits: " + linkMaxQueuedBytes + ", "
                        + linkMaxUnackedBytes + ", " + maxHeldRoutesPerNode + ", " + maxHeldRoutes);
            }
        }
    }

    /** The certificate files of member and link TLS, all three given. */
    public record Tls(Path cafile, Path certfile, Path keyfile) {
        public Tls {
            Objects.requireNonNull(cafile, "cafile");
            Objects.requireNonNull(certfile, "certfile");
            Objects.requireNonNull(keyfile, "keyfile");
        }
    }
}
