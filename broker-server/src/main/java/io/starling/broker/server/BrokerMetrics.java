package io.starling.broker.server;

import io.micrometer.core.instrument.FunctionCounter;
import io.starling.broker.core.OverloadCounters;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.DropCounters;
import io.starling.broker.core.auth.PasswordChecks;
import io.starling.broker.core.store.SessionStore;
import io.starling.broker.core.sys.BrokerCounters;
import io.starling.broker.core.sys.Counter;
import io.starling.broker.store.rocksdb.GroupCommit;
import io.starling.broker.store.rocksdb.RocksSessionStore;
import io.starling.mqtt.codec.QoS;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

/**
 * The broker's metrics for Prometheus ({@code /metrics} of an {@code http_api} listener), through
 * Micrometer. Every meter reads what the broker counts anyway ({@link BrokerCounters}, the drop
 * counters, the registries, the store) when it is scraped, so metrics add nothing to the message
 * path. Names start with {@code starling_}; JVM memory, GC, threads and CPU come from Micrometer's
 * binders.
 */
final class BrokerMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();

    /** Null without a cluster. */
    private final ClusterMeters cluster;

    /** {@code starling_bridge_...} per bridge, labelled with its {@code connection} name. */
    private void bridgeMeters(io.starling.broker.bridge.Bridges bridges) {
        for (int i = 0; i < bridges.size(); i++) {
            int at = i;
            String name = bridges.status().get(i).name();
            io.micrometer.core.instrument.Gauge.builder("starling.bridge.connected", bridges,
                            b -> b.status().get(at).connected() ? 1 : 0)
                    .description("1 while the bridge is connected to its remote broker").tag("bridge", name)
                    .register(registry);
            FunctionCounter.builder("starling.bridge.messages.sent", bridges, b -> b.status().get(at).messagesSent())
                    .description("Messages the bridge passed to its remote broker").tag("bridge", name).register(registry);
            FunctionCounter.builder("starling.bridge.messages.received", bridges,
                            b -> b.status().get(at).messagesReceived())
                    .description("Messages the bridge took from its remote broker").tag("bridge", name).register(registry);
            FunctionCounter.builder("starling.bridge.connections", bridges, b -> b.status().get(at).connects())
                    .description("Connections the bridge made to its remote broker").tag("bridge", name).register(registry);
        }
    }

    BrokerMetrics(BrokerCore core) {
        this(core, null, null);
    }

    /**
     * @param cluster the cluster's status, or null for a single node (no cluster meters)
     * @param bridges the bridges, or null without {@code connection} sections
     */
    BrokerMetrics(BrokerCore core, io.starling.broker.cluster.status.ClusterStatusSource cluster,
                  io.starling.broker.bridge.Bridges bridges) {
        this.cluster = cluster == null ? null : new ClusterMeters(registry, cluster);
        if (bridges != null) {
            bridgeMeters(bridges);
        }
        if (cluster != null) {
            FunctionCounter.builder("starling.cluster.shared.lost", core.router(), r -> r.sharedWithoutMember())
                    .description("Messages forwarded here for a shared subscription group that had no member here any more")
                    .tag("node", cluster.status().self().name()).register(registry);
        }
        BrokerCounters c = core.counters();
        total("starling.packets.received", "MQTT packets read", c, Counter.PACKETS_RECEIVED);
        total("starling.packets.sent", "MQTT packets written", c, Counter.PACKETS_SENT);
        bytes("starling.network.received", "Bytes of MQTT packets read", c, Counter.BYTES_RECEIVED);
        bytes("starling.network.sent", "Bytes of MQTT packets written", c, Counter.BYTES_SENT);
        for (QoS qos : QoS.values()) {
            String q = Integer.toString(qos.value());
            FunctionCounter.builder("starling.messages.received", c, x -> x.sum(Counter.publishReceived(qos)))
                    .description("PUBLISH packets received").tag("qos", q).register(registry);
            FunctionCounter.builder("starling.messages.sent", c, x -> x.sum(Counter.publishSent(qos)))
                    .description("PUBLISH packets sent").tag("qos", q).register(registry);
            FunctionCounter.builder("starling.message.payload.received", c, x -> x.sum(Counter.publishBytesReceived(qos)))
                    .description("Payload bytes of PUBLISH packets received").baseUnit("bytes").tag("qos", q)
                    .register(registry);
            FunctionCounter.builder("starling.message.payload.sent", c, x -> x.sum(Counter.publishBytesSent(qos)))
                    .description("Payload bytes of PUBLISH packets sent").baseUnit("bytes").tag("qos", q)
                    .register(registry);
        }
        total("starling.connections.opened", "Network connections accepted", c, Counter.SOCKETS_OPENED);
        total("starling.connects.received", "CONNECT packets received", c, Counter.CONNECTS_RECEIVED);
        FunctionCounter.builder("starling.connects.refused", c, x -> x.sum(Counter.CONNECTS_REFUSED_AUTH))
                .description("CONNECTs refused").tag("reason", "auth").register(registry);
        FunctionCounter.builder("starling.connects.refused", c, x -> x.sum(Counter.CONNECTS_REFUSED_OTHER))
                .description("CONNECTs refused").tag("reason", "other").register(registry);
        total("starling.auth.failures", "CONNECTs refused for their credentials (bad user name or password, not authorised)",
                c, Counter.CONNECTS_REFUSED_AUTH);
        disconnects(c, "client", Counter.DISCONNECTS_CLIENT);
        disconnects(c, "connection_lost", Counter.DISCONNECTS_CONNECTION_LOST);
        disconnects(c, "keepalive_timeout", Counter.DISCONNECTS_KEEPALIVE_TIMEOUT);
        disconnects(c, "taken_over", Counter.DISCONNECTS_TAKEN_OVER);
        disconnects(c, "protocol_error", Counter.DISCONNECTS_PROTOCOL_ERROR);
        disconnects(c, "credentials_revoked", Counter.DISCONNECTS_CREDENTIALS_REVOKED);
        disconnects(c, "shutdown", Counter.DISCONNECTS_SHUTDOWN);
        total("starling.sessions.expired", "Offline sessions removed when their expiry interval passed", c,
                Counter.SESSIONS_EXPIRED);

        DropCounters drops = core.drops();
        dropped(drops.queueFull, "queue_full");
        dropped(drops.packetTooLarge, "packet_too_large");
        dropped(drops.notWritable, "client_not_reading");
        dropped(drops.offlineQos0, "offline_qos0");
        dropped(drops.expired, "expired");
        dropped(drops.loopBacklog, "loop_backlog");
        OverloadCounters overload = core.overload();
        overload(overload.readPausedOutput, "read_paused_output");
        overload(overload.readPausedBacklog, "read_paused_backlog");
        overload(overload.outgoingOverflow, "outgoing_overflow");
        overload(overload.connectTooLarge, "connect_too_large");
        overload(overload.connectingBudget, "connecting_budget");
        overload(overload.connectTimeout, "connect_timeout");
        overload(overload.closeAborted, "close_aborted");
        dropped(drops.notAuthorized, "not_authorized");
        dropped(drops.quotaExceeded, "quota_exceeded");
        dropped(drops.unsubscribed, "unsubscribed");
        FunctionCounter.builder("starling.packets.malformed", drops.malformedPackets, LongAdder::sum)
                .description("Malformed packets received (the connection is closed)").register(registry);
        FunctionCounter.builder("starling.subscribe.filters.refused", drops.subscribeFiltersRefused, LongAdder::sum)
                .description("SUBSCRIBE filters refused past max_subscribe_filters").register(registry);

        PasswordChecks checks = core.passwordChecks();
        FunctionCounter.builder("starling.password.checks", checks, PasswordChecks::done)
                .description("Slow password checks (argon2id) made off the event loops").register(registry);
        FunctionCounter.builder("starling.password.checks.refused", checks, PasswordChecks::refused)
                .description("Logins refused as server busy: too many slow password checks waiting")
                .tag("reason", "queue_full").register(registry);
        FunctionCounter.builder("starling.password.checks.skipped", checks, PasswordChecks::skipped)
                .description("Slow password checks not made: the connection closed while the check waited")
                .tag("reason", "connection_closed").register(registry);
        gauge("starling.password.checks.pending", "Slow password checks waiting for a thread", checks,
                PasswordChecks::pending);

        gauge("starling.clients.connected", "Clients connected now", c, x -> x.sum(Counter.CLIENTS_CONNECTED));
        gauge("starling.sessions", "Sessions, online and offline", core, x -> x.sessions().size());
        gauge("starling.queue.messages", "Messages queued behind clients' inflight windows", c,
                x -> x.sum(Counter.QUEUED_MESSAGES));
        Gauge.builder("starling.queue.payload", c, x -> x.sum(Counter.QUEUED_BYTES))
                .description("Payload bytes queued for clients").baseUnit("bytes").register(registry);
        gauge("starling.inflight.messages", "Outgoing QoS 1/2 messages awaiting acknowledgement", c,
                x -> x.sum(Counter.INFLIGHT_MESSAGES));
        Gauge.builder("starling.subscriptions", c, x -> x.sum(Counter.SUBSCRIPTIONS))
                .description("Subscriptions").tag("type", "normal").register(registry);
        Gauge.builder("starling.subscriptions", c, x -> x.sum(Counter.SHARED_SUBSCRIPTIONS))
                .description("Subscriptions").tag("type", "shared").register(registry);
        gauge("starling.retained.messages", "Retained messages", core, x -> x.retained().size());
        Gauge.builder("starling.retained.payload", core, x -> x.retained().bytes())
                .description("Payload bytes of retained messages").baseUnit("bytes").register(registry);
        store(core.store(), core.drops());

        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** The durable store's size and, for RocksDB, how long its write-ahead log syncs take. */
    private void store(SessionStore store, DropCounters drops) {
        if (!store.isDurable()) {
            return;
        }
        Gauge.builder("starling.store.disk", store, SessionStore::diskBytes)
                .description("Bytes the store takes on disk").baseUnit("bytes").register(registry);
        Gauge.builder("starling.store.healthy", store, s -> s.health().ok() ? 1 : 0)
                .description("1 while the store takes writes, 0 while it has failed (a full disk)").register(registry);
        FunctionCounter.builder("starling.store.failures", store, s -> s.health().failures())
                .description("Times the store failed").register(registry);
        FunctionCounter.builder("starling.store.recoveries", store, s -> s.health().recoveries())
                .description("Times the store recovered by itself").register(registry);
        FunctionCounter.builder("starling.store.refused.acks", drops.notDurable, LongAdder::sum)
                .description("Acknowledgements refused or withheld because their change could not be made durable")
                .register(registry);
        if (store instanceof RocksSessionStore rocks) {
            GroupCommit commits = rocks.groupCommit();
            FunctionTimer.builder("starling.store.wal.sync", commits, GroupCommit::syncCount,
                    GroupCommit::totalSyncNanos, TimeUnit.NANOSECONDS)
                    .description("Write-ahead log syncs (one per group commit)").register(registry);
            Gauge.builder("starling.store.wal.sync.last", commits, g -> g.lastSyncNanos() / 1e9)
                    .description("Duration of the last write-ahead log sync").baseUnit("seconds").register(registry);
        }
    }

    private void total(String name, String description, BrokerCounters c, Counter counter) {
        FunctionCounter.builder(name, c, x -> x.sum(counter)).description(description).register(registry);
    }

    private void bytes(String name, String description, BrokerCounters c, Counter counter) {
        FunctionCounter.builder(name, c, x -> x.sum(counter)).description(description).baseUnit("bytes")
                .register(registry);
    }

    private void disconnects(BrokerCounters c, String reason, Counter counter) {
        FunctionCounter.builder("starling.disconnects", c, x -> x.sum(counter))
                .description("Connections of clients that ended, by reason").tag("reason", reason).register(registry);
    }

    private void overload(LongAdder adder, String action) {
        FunctionCounter.builder("starling.overload", adder, LongAdder::sum)
                .description("What the broker did to protect itself (paused reads, closed or refused connections)")
                .tag("action", action).register(registry);
    }

    private void dropped(LongAdder adder, String reason) {
        FunctionCounter.builder("starling.messages.dropped", adder, LongAdder::sum)
                .description("Messages not delivered, by reason").tag("reason", reason).register(registry);
    }

    private <T> void gauge(String name, String description, T source, ToDoubleFunction<T> value) {
        Gauge.builder(name, source, value).description(description).register(registry);
    }

    MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of every meter. */
    String scrape() {
        if (cluster != null) {
            cluster.refresh();
        }
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
