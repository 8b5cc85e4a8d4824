package io.starling.broker.config.parse;

import io.starling.broker.config.ClusterSettings;
import io.starling.broker.config.ClusterSettings.HostPort;
import io.starling.broker.config.ConfigException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code cluster_*} options (Starling's own). Any of them makes the broker a cluster node; without
 * them {@link #build} gives null and the broker is a single node. Checks that need several lines (a
 * peer list needs {@code cluster_bind} and {@code cluster_raft_members}, which must name this node;
 * TLS needs all three files) are made at the end and name the line that cannot stand.
 */
final class ClusterOptions implements OptionGroup {
    /** {@code 500ms}, {@code 10s}, or a bare number of seconds. */
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s)?");

    private final Repeats repeats = new Repeats();
    private ConfigLine first;
    private String name = ClusterSettings.DEFAULT_NAME;
    private String nodeId;
    private HostPort bind;
    private final List<HostPort> peers = new ArrayList<>();
    private final List<ConfigLine> peerLines = new ArrayList<>();
    private List<String> raftMembers;
    private int linkPort = ClusterSettings.DEFAULT_LINK_PORT;
    private Path cafile;
    private Path certfile;
    private Path keyfile;
    private Duration heartbeatInterval = ClusterSettings.DEFAULT_HEARTBEAT_INTERVAL;
    private Duration failureTimeout = ClusterSettings.DEFAULT_FAILURE_TIMEOUT;
    private Duration suspectTimeout = ClusterSettings.DEFAULT_SUSPECT_TIMEOUT;
    private Duration mergeInterval = ClusterSettings.DEFAULT_MERGE_INTERVAL;
    private Duration raftTimeout = ClusterSettings.DEFAULT_RAFT_TIMEOUT;
    private boolean connectWithoutMajority;
    private Duration clientLease = Duration.ZERO;
    private int linkMaxQueuedBytes = ClusterSettings.Limits.DEFAULT_LINK_MAX_QUEUED_BYTES;
    private long linkMaxUnackedBytes = ClusterSettings.Limits.DEFAULT_LINK_MAX_UNACKED_BYTES;
    private int maxHeldRoutesPerNode = ClusterSettings.Limits.DEFAULT_MAX_HELD_ROUTES_PER_NODE;
    private int maxHeldRoutes = ClusterSettings.Limits.DEFAULT_MAX_HELD_ROUTES;

    @Override
    public boolean read(ConfigLine line, ReadContext context) throws ConfigException {
        switch (line.key()) {
            case "cluster_name" -> name = once(line).word();
            case "cluster_node_id" -> nodeId = nodeId(once(line));
            case "cluster_bind" -> bind = hostPort(once(line), false);
            case "cluster_peer" -> peer(line, context);
            case "cluster_raft_members" -> raftMembers = raftMembers(once(line));
            case "cluster_link_port" -> linkPort = scalar(line, context).integer(0, 65535);
            case "cluster_tls_cafile" -> cafile = once(line).path();
            case "cluster_tls_certfile" -> certfile = once(line).path();
            case "cluster_tls_keyfile" -> keyfile = once(line).path();
            case "cluster_heartbeat_interval" -> heartbeatInterval = duration(scalar(line, context));
            case "cluster_failure_timeout" -> failureTimeout = duration(scalar(line, context));
            case "cluster_suspect_timeout" -> suspectTimeout = duration(scalar(line, context));
            case "cluster_merge_interval" -> mergeInterval = duration(scalar(line, context));
            case "cluster_raft_timeout" -> raftTimeout = duration(scalar(line, context));
            case "cluster_connect_without_majority" -> connectWithoutMajority = scalar(line, context).bool();
            case "cluster_client_lease" -> clientLease = lease(scalar(line, context));
            case "cluster_link_max_queued_bytes" -> linkMaxQueuedBytes =
                    scalar(line, context).integer(ClusterSettings.Limits.MIN_LINK_BYTES, Integer.MAX_VALUE);
            case "cluster_link_max_unacked_bytes" -> linkMaxUnackedBytes = atLeast(scalar(line, context),
                    ClusterSettings.Limits.MIN_LINK_BYTES);
            case "cluster_max_held_routes_per_node" -> maxHeldRoutesPerNode = scalar(line, context).integer(1, Integer.MAX_VALUE);
            case "cluster_max_held_routes" -> maxHeldRoutes = scalar(line, context).integer(1, Integer.MAX_VALUE);
            default -> {
                return false;
            }
        }
        if (first == null) {
            first = line;
        }
        return true;
    }

    /** The settings, or null when the file has no cluster line. */
    ClusterSettings build() throws ConfigException {
        if (first == null) {
            return null;
        }
        String id = nodeId != null ? nodeId : hostName(first);
        if (!peers.isEmpty()) {
            ConfigLine peer = peerLines.get(0);
            if (bind == null) {
                throw peer.error("cluster_peer needs cluster_bind: the address the other nodes reach this node at.");
            }
            if (raftMembers == null) {
                throw peer.error("cluster_peer needs cluster_raft_members: the node ids of the cluster's voting members.");
            }
        }
        List<String> members = raftMembers != null ? raftMembers : List.of(id);
        if (!members.contains(id)) {
            throw repeats.line("cluster_raft_members").error("cluster_raft_members (" + String.join(",", members)
                    + ") must contain this node's id (" + id + ", "
                    + (nodeId != null ? "cluster_node_id" : "the host name; set cluster_node_id") + ").");
        }
        HostPort where = bind != null ? bind : ClusterSettings.DEFAULT_BIND;
        int detectionFrom = where.port() + ClusterSettings.FAILURE_DETECTION_PORT_OFFSET;
        int detectionTo = detectionFrom + ClusterSettings.FAILURE_DETECTION_PORTS - 1;
        if (linkPort >= detectionFrom && linkPort <= detectionTo) {
            ConfigLine at = repeats.line("cluster_link_port");
            throw (at != null ? at : repeats.line("cluster_bind")).error("cluster_link_port " + linkPort
                    + " is one of the ports the cluster's failure detection listens on (cluster_bind's port + "
                    + ClusterSettings.FAILURE_DETECTION_PORT_OFFSET + " to + " + (ClusterSettings.FAILURE_DETECTION_PORT_OFFSET
                    + ClusterSettings.FAILURE_DETECTION_PORTS - 1) + ": " + detectionFrom + "-" + detectionTo
                    + "): choose another port.");
        }
        ClusterSettings.Tls tls = tls();
        if (failureTimeout.compareTo(heartbeatInterval) <= 0) {
            ConfigLine at = repeats.line("cluster_failure_timeout");
            throw (at != null ? at : repeats.line("cluster_heartbeat_interval")).error(
                    "cluster_failure_timeout (" + failureTimeout.toMillis() + " ms) must be longer than "
                            + "cluster_heartbeat_interval (" + heartbeatInterval.toMillis() + " ms).");
        }
        checkLease();
        return new ClusterSettings(name, id, bind != null ? bind : ClusterSettings.DEFAULT_BIND, peers, members,
                linkPort, tls, heartbeatInterval, failureTimeout, suspectTimeout, mergeInterval, raftTimeout,
                connectWithoutMajority,
                new ClusterSettings.Limits(linkMaxQueuedBytes, linkMaxUnackedBytes, maxHeldRoutesPerNode, maxHeldRoutes),
                clientLease);
    }

    /** A lease shorter than replacing a lost leader takes would close every connection of the cluster. */
    private void checkLease() throws ConfigException {
        if (clientLease.isZero()) {
            return;
        }
        ConfigLine at = repeats.line("cluster_client_lease");
        if (connectWithoutMajority) {
            throw at.error("cluster_client_lease cannot be used with cluster_connect_without_majority true: the lease "
                    + "keeps one connection per client id across partitions, which that option gives up.");
        }
        Duration least = ClusterSettings.minimumClientLease(failureTimeout, suspectTimeout);
        if (clientLease.compareTo(least) < 0) {
            throw at.error("cluster_client_lease (" + clientLease.toMillis() + " ms) must be at least twice "
                    + "cluster_failure_timeout + cluster_suspect_timeout (" + least.toMillis() + " ms): replacing a Raft "
                    + "leader that is cut off takes failure detection and a vote, and a shorter lease would close every "
                    + "connection of the cluster meanwhile.");
        }
    }

    private ClusterSettings.Tls tls() throws ConfigException {
        if (cafile == null && certfile == null && keyfile == null) {
            return null;
        }
        for (String key : List.of("cluster_tls_cafile", "cluster_tls_certfile", "cluster_tls_keyfile")) {
            if (repeats.line(key) == null) {
                ConfigLine given = repeats.line("cluster_tls_cafile") != null ? repeats.line("cluster_tls_cafile")
                        : repeats.line("cluster_tls_certfile") != null ? repeats.line("cluster_tls_certfile")
                        : repeats.line("cluster_tls_keyfile");
                throw given.error("Cluster TLS needs cluster_tls_cafile, cluster_tls_certfile and cluster_tls_keyfile; "
                        + key + " is missing.");
            }
        }
        return new ClusterSettings.Tls(cafile, certfile, keyfile);
    }

    private void peer(ConfigLine line, ReadContext context) throws ConfigException {
        context.warnExtraWords(line, 1);
        HostPort peer = hostPort(line, false);
        int before = peers.indexOf(peer);
        if (before >= 0) {
            throw line.error("Duplicate cluster_peer " + peer + " (first given at " + peerLines.get(before).where() + ").");
        }
        peers.add(peer);
        peerLines.add(line);
    }

    private static HostPort hostPort(ConfigLine line, boolean allowZero) throws ConfigException {
        HostPort parsed = HostPort.parse(line.word(), allowZero);
        if (parsed == null) {
            throw line.error("Invalid " + line.key() + " value (" + line.word() + "): expected host:port"
                    + " with a port from 1 to 65535 ([address]:port for IPv6).");
        }
        return parsed;
    }

    private static String nodeId(ConfigLine line) throws ConfigException {
        String id = line.text();
        String bad = ClusterSettings.invalidNodeIdReason(id);
        if (bad != null) {
            throw line.error("Invalid cluster_node_id value (" + id + "): " + bad + ".");
        }
        return id;
    }

    private static List<String> raftMembers(ConfigLine line) throws ConfigException {
        List<String> ids = Arrays.asList(line.text().split(" *, *"));
        for (String id : ids) {
            String bad = ClusterSettings.invalidNodeIdReason(id);
            if (bad != null) {
                throw line.error("Invalid cluster_raft_members value (" + line.text() + "): " + bad + ".");
            }
        }
        if (new HashSet<>(ids).size() != ids.size()) {
            throw line.error("Invalid cluster_raft_members value (" + line.text() + "): a node id is listed twice.");
        }
        return List.copyOf(ids);
    }

    /** {@code 0} (off) or a positive duration. */
    private static Duration lease(ConfigLine line) throws ConfigException {
        return "0".equals(line.word()) ? Duration.ZERO : duration(line);
    }

    private static Duration duration(ConfigLine line) throws ConfigException {
        Matcher m = DURATION.matcher(line.word());
        long n = m.matches() ? Long.parseLong(m.group(1)) : 0;
        if (n <= 0) {
            throw line.error("Invalid " + line.key() + " value (" + line.word()
                    + "): expected a positive duration such as 500ms or 10s.");
        }
        return "ms".equals(m.group(2)) ? Duration.ofMillis(n) : Duration.ofSeconds(n);
    }

    private static String hostName(ConfigLine first) throws ConfigException {
        try {
            String host = InetAddress.getLocalHost().getHostName();
            if (ClusterSettings.invalidNodeIdReason(host) == null) {
                return host;
            }
        } catch (UnknownHostException e) {
            // the message below says what to do
        }
        throw first.error("The host name cannot be used as the cluster node id; set cluster_node_id.");
    }

    private ConfigLine scalar(ConfigLine line, ReadContext context) {
        repeats.lastWins(line, line.key(), context);
        context.warnExtraWords(line, 1);
        return line;
    }

    /** A long of at least {@code min}; below it is {@code Invalid <key> value (<v>).}. */
    private static long atLeast(ConfigLine line, long min) throws ConfigException {
        long n = line.integer();
        if (n < min) {
            throw line.invalid(line.word());
        }
        return n;
    }

    private ConfigLine once(ConfigLine line) throws ConfigException {
        repeats.refuse(line, line.key());
        return line;
    }
}
