package io.starling.broker.server;

import io.starling.broker.cluster.status.ClusterStatus;
import io.starling.broker.cluster.status.ClusterStatusSource;
import io.starling.broker.core.sys.SysTree;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The cluster's {@code $SYS/broker/cluster/...} topics, in the style of mosquitto's tree (integers as
 * decimal text, one value per topic), from a {@link ClusterStatus}. Mosquitto has no cluster, so all
 * are Starling's own ({@link SysTree#STARLING_ONLY}). Topics of a node name the node by its id.
 */
final class ClusterSysTopics implements Supplier<Map<String, String>> {
    static final String PREFIX = SysTree.PREFIX + "cluster/";
    private final ClusterStatusSource source;

    ClusterSysTopics(ClusterStatusSource source) {
        this.source = source;
    }

    @Override
    public Map<String, String> get() {
        return topics(source.status());
    }

    static Map<String, String> topics(ClusterStatus s) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put(PREFIX + "name", s.clusterName() == null ? "" : s.clusterName());
        out.put(PREFIX + "node", s.self().name());
        out.put(PREFIX + "nodes", Integer.toString(s.membersUp()));
        for (ClusterStatus.Member m : s.members()) {
            out.put(PREFIX + "nodes/" + m.node().name() + "/up", m.up() ? "1" : "0");
        }
        // No leader known: an empty payload would delete the retained value, so a word instead.
        out.put(PREFIX + "leader", s.leader() == null ? "none" : s.leader().name());
        out.put(PREFIX + "term", Long.toString(s.term()));
        out.put(PREFIX + "majority", s.majority() ? "1" : "0");
        if (s.registeredClients() >= 0) {
            out.put(PREFIX + "registry/clients", Long.toString(s.registeredClients()));
        }
        out.put(PREFIX + "registry/unsafe_connects", Long.toString(s.unsafeConnects()));
        if (s.retainedLostWrites() >= 0) {
            out.put(PREFIX + "retained/lost_writes", Long.toString(s.retainedLostWrites()));
        }
        out.put(PREFIX + "routes/held_dropped", Long.toString(s.heldRoutesDropped()));
        if (s.lease() != null) {
            out.put(PREFIX + "lease/held", s.lease().held() ? "1" : "0");
            out.put(PREFIX + "lease/expiries", Long.toString(s.lease().expiries()));
            out.put(PREFIX + "lease/closed_connections", Long.toString(s.lease().closedConnections()));
        }
        for (ClusterStatus.Link l : s.links()) {
            String p = PREFIX + "links/" + l.node().name() + "/";
            out.put(p + "routes", Integer.toString(l.routes()));
            if (!s.linksWired()) {
                continue;
            }
            out.put(p + "connected", l.connected() ? "1" : "0");
            out.put(p + "messages/sent", Long.toString(l.forwardedOut()));
            out.put(p + "messages/received", Long.toString(l.forwardedIn()));
            out.put(p + "messages/resent", Long.toString(l.resent()));
            out.put(p + "messages/duplicates", Long.toString(l.duplicates()));
            out.put(p + "messages/dropped", Long.toString(l.dropped()));
            out.put(p + "messages/unacknowledged", Long.toString(l.unacknowledged()));
            out.put(p + "messages/dropped/link_full", Long.toString(l.droppedLinkFull()));
            out.put(p + "messages/dropped/window_full", Long.toString(l.droppedWindowFull()));
            out.put(p + "bytes/unacknowledged", Long.toString(l.unacknowledgedBytes()));
        }
        return out;
    }
}
