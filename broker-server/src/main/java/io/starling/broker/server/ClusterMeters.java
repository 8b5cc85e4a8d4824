package io.starling.broker.server;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.starling.broker.cluster.status.ClusterStatus;
import io.starling.broker.cluster.status.ClusterStatusSource;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * The cluster's meters ({@code starling_cluster_...}), each with a {@code node} label, this node's id,
 * so that the scrapes of several nodes add up; link meters also name the other node ({@code peer}).
 * The snapshot is taken once per scrape ({@link #refresh()}), which also registers the meters of a node
 * seen for the first time.
 */
final class ClusterMeters {
    private final MeterRegistry registry;
    private final ClusterStatusSource source;
    private final String self;
    private volatile ClusterStatus status;
    private final Map<String, ClusterStatus.Link> links = new ConcurrentHashMap<>();
    private final Set<String> registered = new HashSet<>();

    ClusterMeters(MeterRegistry registry, ClusterStatusSource source) {
        this.registry = registry;
        this.source = source;
        this.status = source.status();
        this.self = status.self().name();
        gauge("starling.cluster.nodes", "Cluster nodes in this node's view, this one included", s -> s.membersUp());
        gauge("starling.cluster.majority", "1 while this node's view holds a majority of the Raft members",
                s -> s.majority() ? 1 : 0);
        gauge("starling.cluster.leader", "1 while this node is the Raft leader", s -> s.isLeader() ? 1 : 0);
        gauge("starling.cluster.raft.term", "The Raft term this node is in", s -> s.term());
        if (status.registeredClients() >= 0) {
            gauge("starling.cluster.registry.clients", "Client ids in the cluster's registry",
                    s -> s.registeredClients());
        }
        if (status.retainedLostWrites() >= 0) {
            FunctionCounter.builder("starling.cluster.retained.lost.writes", this, m -> m.status.retainedLostWrites())
                    .description("Retained messages whose replicated write failed").tag("node", self).register(registry);
        }
        FunctionCounter.builder("starling.cluster.registry.unsafe.connects", this, m -> m.status.unsafeConnects())
                .description("CONNECTs accepted without a claim of their client id (cluster_connect_without_majority)")
                .tag("node", self).register(registry);
        FunctionCounter.builder("starling.cluster.routes.held.dropped", this, m -> m.status.heldRoutesDropped())
                .description("Filters announced by nodes not yet in the view, dropped past the held bound")
                .tag("node", self).register(registry);
        if (status.lease() != null) {
            gauge("starling.cluster.lease.held", "1 while this node's client lease holds (cluster_client_lease)",
                    s -> s.lease() != null && s.lease().held() ? 1 : 0);
            FunctionCounter.builder("starling.cluster.lease.expiries", this,
                            m -> m.status.lease() == null ? 0 : m.status.lease().expiries())
                    .description("Times this node's client lease ran out").tag("node", self).register(registry);
            FunctionCounter.builder("starling.cluster.lease.closed.connections", this,
                            m -> m.status.lease() == null ? 0 : m.status.lease().closedConnections())
                    .description("Client connections closed because this node's client lease did not hold")
                    .tag("node", self).register(registry);
        }
        links(status);
    }

    /** Takes a new snapshot for this scrape. */
    synchronized void refresh() {
        ClusterStatus now = source.status();
        status = now;
        links(now);
    }

    private void links(ClusterStatus s) {
        for (ClusterStatus.Link l : s.links()) {
            String peer = l.node().name();
            links.put(peer, l);
            if (registered.add(peer)) {
                linkGauge(peer, "starling.cluster.routes", "Subscription filters of the node routed to it",
                        ClusterStatus.Link::routes);
                if (!s.linksWired()) {
                    continue;
                }
                linkGauge(peer, "starling.cluster.link.connected", "1 while the link to the node is up",
                        x -> x.connected() ? 1 : 0);
                linkGauge(peer, "starling.cluster.link.unacknowledged",
                        "QoS 1/2 messages forwarded to the node and not yet acknowledged", ClusterStatus.Link::unacknowledged);
                linkCounter(peer, "starling.cluster.forwarded", "out", "Messages forwarded between nodes, one per node",
                        ClusterStatus.Link::forwardedOut);
                linkCounter(peer, "starling.cluster.forwarded", "in", "Messages forwarded between nodes, one per node",
                        ClusterStatus.Link::forwardedIn);
                linkCounter(peer, "starling.cluster.link.resent", null, "QoS 1/2 messages sent again after a link came back",
                        ClusterStatus.Link::resent);
                linkCounter(peer, "starling.cluster.link.duplicates", null,
                        "Resent messages from the node that were routed already, dropped", ClusterStatus.Link::duplicates);
                linkCounter(peer, "starling.cluster.link.dropped", null,
                        "Messages for the node that it will not get (no link, window full, node gone)",
                        ClusterStatus.Link::dropped);
                linkCounter(peer, "starling.cluster.link.dropped.link.full", null,
                        "QoS 0 messages for the node dropped: more than cluster_link_max_queued_bytes waited on its link",
                        ClusterStatus.Link::droppedLinkFull);
                linkCounter(peer, "starling.cluster.link.dropped.window.full", null,
                        "QoS 1/2 messages for the node dropped: its unacknowledged window (messages or bytes) was full",
                        ClusterStatus.Link::droppedWindowFull);
                linkGauge(peer, "starling.cluster.link.unacknowledged.bytes",
                        "Payload bytes of the QoS 1/2 messages forwarded to the node and not yet acknowledged",
                        ClusterStatus.Link::unacknowledgedBytes);
            }
        }
    }

    private void gauge(String name, String description, ToDoubleFunction<ClusterStatus> value) {
        Gauge.builder(name, this, m -> value.applyAsDouble(m.status)).description(description).tag("node", self)
                .register(registry);
    }

    private void linkGauge(String peer, String name, String description, ToDoubleFunction<ClusterStatus.Link> value) {
        Gauge.builder(name, this, m -> value.applyAsDouble(m.links.get(peer))).description(description)
                .tag("node", self).tag("peer", peer).register(registry);
    }

    private void linkCounter(String peer, String name, String direction, String description,
                             ToDoubleFunction<ClusterStatus.Link> value) {
        FunctionCounter.Builder<ClusterMeters> b = FunctionCounter.builder(name, this,
                m -> value.applyAsDouble(m.links.get(peer))).description(description).tag("node", self).tag("peer", peer);
        if (direction != null) {
            b.tag("direction", direction);
        }
        b.register(registry);
    }
}
