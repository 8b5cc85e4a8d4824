package io.starling.broker.cluster.takeover;

import io.starling.broker.cluster.NodeId;
import io.starling.broker.cluster.registry.ClientIdRegistry;
import io.starling.broker.cluster.registry.Owner;
import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.protocol.SessionHandOver;
import io.starling.broker.core.session.Session;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A restarted node's sessions from its store, checked against the client-id registry (issue 17 point 8).
 * While the node was down its client may have connected on another node: the registry then names that
 * node at a newer epoch, and that session wins. The copy here is stale and goes (no will, subscriptions
 * out of the tree so that no route is announced for them, stored copy deleted), unless a CONNECT here
 * has taken it since. A session the registry still gives to this node, or to nobody, stays: its client
 * gets it back here, or takes it over from here on another node.
 *
 * <p>Why not while replaying the Raft log: replay reports every old claim, including ones this node won
 * back before it went down; only the registry's state now says who holds an id. The reads go through the
 * log (linearizable). Without a majority they fail, and the check is tried again every
 * {@link #RETRY_MILLIS} until it has answered for every session or the node closes.
 */
public final class RestoredSessionFence {
    private static final Logger LOG = LoggerFactory.getLogger(RestoredSessionFence.class);
    static final long RETRY_MILLIS = 1000;

    private final NodeId self;
    private final ClientIdRegistry registry;
    private final BrokerCore core;
    private volatile boolean closed;
    private volatile boolean warned;

    public RestoredSessionFence(NodeId self, ClientIdRegistry registry, BrokerCore core) {
        this.self = self;
        this.registry = registry;
        this.core = core;
    }

    /**
     * Checks every session now here (before the listeners open: the ones restored from the store), and
     * again after a failure. Completes when the first round is done, successful or not.
     */
    public CompletableFuture<Void> start() {
        List<String> ids = core.sessions().all().stream().map(Session::clientId).toList();
        return check(ids);
    }

    /** Stops retrying. */
    public void close() {
        closed = true;
    }

    private CompletableFuture<Void> check(List<String> ids) {
        if (ids.isEmpty() || closed) {
            return CompletableFuture.completedFuture(null);
        }
        List<CompletableFuture<String>> unchecked = ids.stream().map(this::check).toList();
        return CompletableFuture.allOf(unchecked.toArray(CompletableFuture[]::new)).handle((ok, error) -> {
            List<String> again = unchecked.stream().map(f -> f.getNow(null)).filter(id -> id != null).toList();
            if (!again.isEmpty() && !closed) {
                if (!warned) { // once: without a majority this goes on every second
                    warned = true;
                    LOG.warn("Could not read the owners of {} sessions restored from the store from the client-id "
                            + "registry (no majority?): trying again every {} ms.", again.size(), RETRY_MILLIS);
                }
                CompletableFuture.delayedExecutor(RETRY_MILLIS, TimeUnit.MILLISECONDS).execute(() -> check(again));
            }
            return null;
        });
    }

    /** Completes with null once {@code clientId} is checked, or with {@code clientId} when it must be tried again. */
    private CompletableFuture<String> check(String clientId) {
        return registry.owner(clientId).thenCompose(owner -> {
            if (owner == null || owner.node().equals(self)) {
                return CompletableFuture.completedFuture((String) null);
            }
            return SessionHandOver.dropRestored(core, clientId).thenApply(dropped -> {
                if (dropped) {
                    log(clientId, owner);
                }
                return (String) null;
            });
        }).exceptionally(error -> clientId);
    }

    private static void log(String clientId, Owner owner) {
        LOG.info("Dropped the session of {} restored from the store: node {} holds its client id since "
                + "(epoch {}); that session wins.", clientId, owner.node(), owner.epoch());
    }
}
