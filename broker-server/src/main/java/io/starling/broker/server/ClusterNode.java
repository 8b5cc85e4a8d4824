package io.starling.broker.server;

import io.starling.broker.cluster.membership.ClusterChannel;
import io.starling.broker.cluster.routes.RouteTable;
import io.starling.broker.cluster.status.ClusterStatusCollector;
import io.starling.broker.cluster.status.ClusterStatusSource;
import io.starling.broker.config.ClusterSettings;
import io.starling.broker.config.PersistenceConfig;
import io.starling.broker.core.BrokerCore;
import java.nio.file.Path;

/**
 * The cluster side of a broker whose config has {@code cluster_*} lines: its JGroups channel (with
 * Raft in the stack) and route table. A broker without those lines never creates one, so it has no
 * cluster thread or port.
 *
 * <p>Until the node links exist, the route table keeps the other nodes' rows to itself instead of
 * entering them in the subscription tree ({@code Router} has nothing to forward through yet).
 */
final class ClusterNode implements AutoCloseable {
    private final ClusterChannel channel;
    private final RouteTable routes;

    private ClusterNode(ClusterChannel channel, RouteTable routes) {
        this.channel = channel;
        this.routes = routes;
    }

    /** Joins the cluster: returns once this node is in a view (alone when no peer answered in time). */
    static ClusterNode start(ClusterSettings settings, PersistenceConfig persistence, BrokerCore core) throws Exception {
        ClusterChannel channel = new ClusterChannel(settings, raftLogDir(persistence));
        RouteTable routes = null;
        try {
            routes = RouteTable.start(channel, core.subscriptions(), null);
            channel.connect();
            return new ClusterNode(channel, routes);
        } catch (Exception e) {
            if (routes != null) {
                routes.close();
            }
            channel.close();
            throw e;
        }
    }

    /** Beside the store with {@code persistence true}; in memory otherwise. */
    private static Path raftLogDir(PersistenceConfig persistence) {
        return persistence.enabled() ? persistence.path().toAbsolutePath().getParent() : null;
    }

    ClusterChannel channel() {
        return channel;
    }

    RouteTable routes() {
        return routes;
    }

    /**
     * What $SYS, the metrics and the HTTP API show of the cluster. The links, registry and retained
     * store go in here as they are wired (null: reported as not wired).
     */
    ClusterStatusSource status() {
        return new ClusterStatusCollector(channel, routes, null, null, null);
    }

    /** Stops announcing routes, then leaves the cluster. */
    @Override
    public void close() {
        routes.close();
        channel.close();
    }
}
