package io.starling.broker.server;

import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.protocol.Client;
import io.starling.broker.core.protocol.ClientSummary;
import io.starling.broker.core.session.Session;
import io.starling.broker.transport.HttpApi;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The broker's answers to its {@code http_api} listeners: metrics from {@link BrokerMetrics}, $SYS
 * values from the {@link SysTreeTimer}'s tree, the listeners as configured and bound, and for the web
 * console the connected clients (each read on its own loop) and the retained topics.
 */
final class BrokerHttpApi implements HttpApi {
    private final BrokerCore core;
    private final BrokerMetrics metrics;
    private final SysTreeTimer sysTree;
    private final Supplier<List<Listener>> listeners;

    /** @param listeners every listener as bound (asked each time: ports are known only once all are bound) */
    BrokerHttpApi(BrokerCore core, BrokerMetrics metrics, SysTreeTimer sysTree, Supplier<List<Listener>> listeners) {
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

    @Override
    public CompletableFuture<List<ConnectedClient>> clients() {
        List<CompletableFuture<ClientSummary>> each = new ArrayList<>();
        for (Session session : core.sessions().all()) {
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
            out.sort(Comparator.comparing(ConnectedClient::clientId));
            return out;
        });
    }

    /** Runs on the session's loop (or the loop it moved to, where the new one answers). */
    private static ClientSummary summaryOf(Session session) {
        if (!session.owner().inLoop()) {
            return null; // it moved on meanwhile; the list is a moment's picture anyway
        }
        return session.link() instanceof Client client ? client.summary() : null;
    }

    @Override
    public List<RetainedTopic> retainedTopics(int limit, Predicate<String> visible) {
        List<RetainedTopic> out = new ArrayList<>();
        core.retained().match("#", m -> {
            if (visible.test(m.topic())) {
                out.add(new RetainedTopic(m.topic(), m.payloadSize()));
            }
            m.release();
        });
        out.sort(Comparator.comparing(RetainedTopic::topic));
        return out.size() > limit ? out.subList(0, limit) : out;
    }

    @Override
    public String version() {
        return Broker.VERSION;
    }
}
