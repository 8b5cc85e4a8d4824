package io.starling.broker.server;

import io.starling.broker.cluster.status.ClusterStatus;
import io.starling.broker.cluster.status.ClusterStatusSource;
import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.protocol.Client;
import io.starling.broker.core.protocol.ClientSummary;
import io.starling.broker.core.session.Session;
import io.starling.broker.core.topic.TopicName;
import io.starling.broker.transport.HttpApi;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The broker's answers to its {@code http_api} listeners: metrics from {@link BrokerMetrics}, $SYS
 * values from the {@link SysTreeTimer}'s tree, the listeners as configured and bound, and for the web
 * console the connected clients (each read on its own loop) and the retained topics, a page at a time,
 * listed and sorted on a thread of their own.
 */
final class BrokerHttpApi implements HttpApi {
    private final BrokerCore core;
    private final BrokerMetrics metrics;
    private final SysTreeTimer sysTree;
    private final Supplier<List<Listener>> listeners;
    /**
     * One thread for listings that walk a whole store, started on demand; a few requests may wait, more
     * are refused (the HTTP answer is an error), so polling cannot pile work up.
     */
    private final Executor listings = new ThreadPoolExecutor(0, 1, 10, TimeUnit.SECONDS, new ArrayBlockingQueue<>(4),
            runnable -> {
                Thread t = new Thread(runnable, "starling-http-listings");
                t.setDaemon(true);
                return t;
            });

    /** Null without a cluster. */
    private final ClusterStatusSource cluster;
    /** Null without bridges. */
    private final io.starling.broker.bridge.Bridges bridges;

    BrokerHttpApi(BrokerCore core, BrokerMetrics metrics, SysTreeTimer sysTree, Supplier<List<Listener>> listeners) {
        this(core, metrics, sysTree, listeners, null, null);
    }

    /**
     * @param listeners every listener as bound (asked each time: ports are known only once all are bound)
     * @param cluster   the cluster's status, or null for a single node
     * @param bridges   the bridges, or null without {@code connection} sections
     */
    BrokerHttpApi(BrokerCore core, BrokerMetrics metrics, SysTreeTimer sysTree, Supplier<List<Listener>> listeners,
                  ClusterStatusSource cluster, io.starling.broker.bridge.Bridges bridges) {
        this.cluster = cluster;
        this.bridges = bridges;
        this.core = core;
        this.metrics = metrics;
        this.sysTree = sysTree;
        this.listeners = listeners;
    }

    @Override
    public String metrics() {
        return metrics.scrape();
    }

    @Override
    public CompletableFuture<Map<String, Long>> sysTree() {
        return sysTree.values();
    }

    @Override
    public List<Listener> listeners() {
        return listeners.get();
    }

    /**
     * The online sessions are listed and sorted on {@link #listings}; only the page's are read, each
     * on its own loop, so a poll costs the loops the page, not every client.
     */
    @Override
    public CompletableFuture<ClientPage> clients(int offset, int limit) {
        return CompletableFuture.supplyAsync(() -> onlineSessions(offset, limit), listings).thenCompose(page -> {
            List<CompletableFuture<ClientSummary>> each = new ArrayList<>();
            for (Session session : page.sessions()) {
                CompletableFuture<ClientSummary> one = new CompletableFuture<>();
                each.add(one);
                session.owner().execute(() -> one.complete(summaryOf(session)));
            }
            return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new)).thenApply(done -> {
                List<ConnectedClient> out = new ArrayList<>();
                for (CompletableFuture<ClientSummary> f : each) {
                    ClientSummary s = f.join();
                    if (s != null) {
                        out.add(new ConnectedClient(s.clientId(), s.username(), s.remoteAddress(), s.protocol(),
                                s.keepAlive(), s.subscriptions(), s.inflight(), s.queued()));
                    }
                }
                return new ClientPage(out, page.more());
            });
        });
    }

    /** Part of the online sessions, by client id. */
    private record SessionPage(List<Session> sessions, boolean more) {
    }

    /** Lists and sorts every online session: on {@link #listings}, never on a loop. */
    private SessionPage onlineSessions(int offset, int limit) {
        List<Session> online = new ArrayList<>();
        for (Session session : core.sessions().all()) {
            if (session.isOnline()) { // read off the session's loop: a moment's picture, as the whole list is
                online.add(session);
            }
        }
        online.sort(Comparator.comparing(Session::clientId));
        int from = Math.min(offset, online.size());
        int to = (int) Math.min((long) from + limit, online.size());
        return new SessionPage(List.copyOf(online.subList(from, to)), to < online.size());
    }

    /** Runs on the session's loop (or the loop it moved to, where the new one answers). */
    private static ClientSummary summaryOf(Session session) {
        if (!session.owner().inLoop()) {
            return null; // it moved on meanwhile; the list is a moment's picture anyway
        }
        return session.link() instanceof Client client ? client.summary() : null;
    }

    /**
     * Walks the retained store on {@link #listings}: at a million retained messages a walk takes about a
     * second, which the event loops must not pay (the console asks every 2 s).
     */
    @Override
    public CompletableFuture<RetainedPage> retainedTopics(int offset, int limit, Predicate<String> visible) {
        return CompletableFuture.supplyAsync(() -> {
            List<RetainedTopic> page = new ArrayList<>(Math.min(limit, 64));
            int[] skip = {offset};
            boolean[] more = {false};
            core.retained().topics((topic, bytes) -> {
                if (TopicName.isSystem(topic) || !visible.test(topic)) {
                    return true; // as a "#" subscription: no $SYS (it has its own page)
                }
                if (skip[0] > 0) {
                    skip[0]--;
                    return true;
                }
                if (page.size() == limit) {
                    more[0] = true;
                    return false;
                }
                page.add(new RetainedTopic(topic, bytes));
                return true;
            });
            return new RetainedPage(page, more[0]);
        }, listings);
    }

    @Override
    public List<Map<String, Object>> bridges() {
        if (bridges == null) {
            return List.of();
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (io.starling.broker.bridge.BridgeStatus b : bridges.status()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("name", b.name());
            one.put("connected", b.connected());
            one.put("address", b.address());
            one.put("messagesSent", b.messagesSent());
            one.put("messagesReceived", b.messagesReceived());
            one.put("connections", b.connects());
            out.add(one);
        }
        return out;
    }

    /** The snapshot waits for nothing, so it is taken on the listener's loop. */
    @Override
    public CompletableFuture<Map<String, Object>> cluster() {
        return CompletableFuture.completedFuture(cluster == null ? null : clusterTree(cluster.status()));
    }

    /** The JSON of {@code /api/v1/cluster}, documented in docs/cluster.md. */
    static Map<String, Object> clusterTree(ClusterStatus s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", s.clusterName());
        out.put("node", s.self().name());
        out.put("leader", s.leader() == null ? null : s.leader().name());
        out.put("term", s.term());
        out.put("majority", s.majority());
        if (s.registeredClients() >= 0) {
            out.put("registeredClients", s.registeredClients());
        }
        if (s.retainedLostWrites() >= 0) {
            out.put("retainedLostWrites", s.retainedLostWrites());
        }
        out.put("unsafeConnects", s.unsafeConnects());
        if (s.lease() != null) {
            out.put("lease", Map.of("held", s.lease().held(), "expiries", s.lease().expiries(),
                    "closedConnections", s.lease().closedConnections()));
        }
        List<Object> members = new ArrayList<>();
        for (ClusterStatus.Member m : s.members()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("node", m.node().name());
            one.put("up", m.up());
            one.put("self", m.node().equals(s.self()));
            one.put("leader", m.node().equals(s.leader()));
            members.add(one);
        }
        out.put("members", members);
        List<Object> links = new ArrayList<>();
        for (ClusterStatus.Link l : s.links()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("node", l.node().name());
            one.put("routes", l.routes());
            if (!s.linksWired()) {
                links.add(one);
                continue;
            }
            one.put("connected", l.connected());
            one.put("forwardedOut", l.forwardedOut());
            one.put("forwardedIn", l.forwardedIn());
            one.put("resent", l.resent());
            one.put("duplicates", l.duplicates());
            one.put("dropped", l.dropped());
            one.put("unacknowledged", l.unacknowledged());
            one.put("droppedLinkFull", l.droppedLinkFull());
            one.put("droppedWindowFull", l.droppedWindowFull());
            one.put("unacknowledgedBytes", l.unacknowledgedBytes());
            links.add(one);
        }
        out.put("links", links);
        return out;
    }

    @Override
    public String version() {
        return Broker.VERSION;
    }
}
