package io.starling.broker.core.sys;

import io.netty.buffer.Unpooled;
import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.DropCounters;
import io.starling.broker.core.routing.Message;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.QoS;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The {@code $SYS/broker/...} topics with mosquitto's names and meanings (mosquitto(8), "BROKER
 * STATUS"; mosquitto's {@code sys_tree.c}), published every {@code sys_interval} seconds as retained
 * QoS 2 messages. As in mosquitto, a topic is published again only when its value changed, except
 * {@code uptime}; a load average only when it moved by 0.01 or more. {@code version} is published
 * once, at {@link #start()}, which also publishes every value (the loads as 0.00). The uptime counts
 * from construction.
 *
 * <p>Values come from {@link BrokerCounters} (sums of every loop's counters), the drop counters, the
 * session registry and the retained store: nothing here runs on the message path.
 *
 * <p>The messages go to the retained store and to current subscribers, whose read ACL the router
 * checks per message; they are not written to the durable store (mosquitto does not save $SYS
 * messages either).
 *
 * <p>Threading: owned by the one thread that calls {@link #start()}, {@link #update()} and
 * {@link #values()}; routing
 * from it hands deliveries to other loops through their outboxes, and the caller flushes its own.
 */
public final class SysTree {
    public static final String PREFIX = "$SYS/broker/";
    /** Topics under these prefixes are Starling's own: mosquitto has no such values. */
    public static final List<String> STARLING_ONLY = List.of(PREFIX + "password_checks/", PREFIX + "overload/",
            PREFIX + "store/healthy", PREFIX + "store/failures", PREFIX + "store/recoveries",
            PREFIX + "store/acknowledgements/", PREFIX + "cluster/");
    private static final Duration[] LOAD_WINDOWS = {Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15)};
    private static final String[] LOAD_NAMES = {"1min", "5min", "15min"};

    /** One published value, by topic. */
    public record Value(String topic, String payload) {
    }

    /** An integer topic, maybe also published under mosquitto's older name; a maximum only grows. */
    private record Stat(String topic, String alias, LongSupplier value, boolean isMaximum) {
    }

    /** The three load averages of one counter. */
    private static final class Load {
        final String topic;
        final LongSupplier count;
        final LoadAverage[] averages = new LoadAverage[LOAD_WINDOWS.length];
        long lastCount;

        Load(String topic, LongSupplier count) {
            this.topic = topic;
            this.count = count;
            for (int i = 0; i < averages.length; i++) {
                averages[i] = new LoadAverage(LOAD_WINDOWS[i]);
            }
        }
    }

    private final BrokerCore core;
    private final String version;
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final List<Stat> stats = new ArrayList<>();
    private final List<Load> loads = new ArrayList<>();
    private final Map<String, Long> published = new HashMap<>();
    /** Topics added by an extension (the cluster's), full topic -> text; published when changed. */
    private final List<Supplier<Map<String, String>>> textSources = new ArrayList<>();
    private final Map<String, String> publishedText = new HashMap<>();
    private final long startNanos;
    private long lastUpdateNanos;
    private long clientsMaximum;
    private long heapMaximum;

    /** @param version the payload of {@code $SYS/broker/version}, e.g. "Starling version 0.1.0" */
    public SysTree(BrokerCore core, String version) {
        this.core = core;
        this.version = version;
        this.startNanos = core.clock().nanoTime();
        this.lastUpdateNanos = startNanos;
        BrokerCounters c = core.counters();
        DropCounters drops = core.drops();
        stat("clients/total", null, this::clientsTotal);
        stat("clients/maximum", null, () -> clientsMaximum = Math.max(clientsMaximum, clientsTotal()), true);
        stat("clients/disconnected", "clients/inactive", () -> Math.max(0, clientsTotal() - c.sum(Counter.CLIENTS_CONNECTED)));
        stat("clients/connected", "clients/active", () -> c.sum(Counter.CLIENTS_CONNECTED));
        stat("clients/expired", null, () -> c.sum(Counter.SESSIONS_EXPIRED));
        stat("messages/stored", "store/messages/count", () -> core.retained().size()
                + c.sum(Counter.QUEUED_MESSAGES, Counter.INFLIGHT_MESSAGES));
        stat("store/messages/bytes", null, () -> core.retained().bytes()
                + c.sum(Counter.QUEUED_BYTES, Counter.INFLIGHT_BYTES));
        stat("subscriptions/count", null, () -> c.sum(Counter.SUBSCRIPTIONS));
        stat("shared_subscriptions/count", null, () -> c.sum(Counter.SHARED_SUBSCRIPTIONS));
        stat("retained messages/count", null, () -> core.retained().size());
        stat("heap/current", null, this::heapUsed);
        stat("heap/maximum", null, () -> heapMaximum = Math.max(heapMaximum, heapUsed()), true);
        stat("messages/received", null, () -> c.sum(Counter.PACKETS_RECEIVED));
        stat("messages/sent", null, () -> c.sum(Counter.PACKETS_SENT));
        stat("publish/messages/dropped", null, drops::total);
        // Starling's own (see STARLING_ONLY): what the broker did to protect itself (docs/security.md).
        io.starling.broker.core.OverloadCounters overload = core.overload();
        stat("overload/dropped/loop_backlog", null, drops.loopBacklog::sum);
        stat("overload/refused/subscribe_filters", null, drops.subscribeFiltersRefused::sum);
        stat("overload/read_paused/output", null, overload.readPausedOutput::sum);
        stat("overload/read_paused/backlog", null, overload.readPausedBacklog::sum);
        stat("overload/disconnected/outgoing_overflow", null, overload.outgoingOverflow::sum);
        stat("overload/disconnected/connect_too_large", null, overload.connectTooLarge::sum);
        stat("overload/disconnected/connecting_budget", null, overload.connectingBudget::sum);
        stat("overload/disconnected/connect_timeout", null, overload.connectTimeout::sum);
        stat("overload/close_aborted", null, overload.closeAborted::sum);
        stat("publish/messages/received", null, this::publishReceived);
        stat("publish/messages/sent", null, this::publishSent);
        stat("publish/bytes/received", null, () -> c.sum(Counter.PUBLISH_BYTES_RECEIVED_QOS0,
                Counter.PUBLISH_BYTES_RECEIVED_QOS1, Counter.PUBLISH_BYTES_RECEIVED_QOS2));
        stat("publish/bytes/sent", null, () -> c.sum(Counter.PUBLISH_BYTES_SENT_QOS0,
                Counter.PUBLISH_BYTES_SENT_QOS1, Counter.PUBLISH_BYTES_SENT_QOS2));
        stat("bytes/received", null, () -> c.sum(Counter.BYTES_RECEIVED));
        stat("bytes/sent", null, () -> c.sum(Counter.BYTES_SENT));
        // Starling's own (see STARLING_ONLY): slow password checks under pressure.
        stat("password_checks/pending", null, () -> core.passwordChecks().pending());
        stat("password_checks/refused/queue_full", null, () -> core.passwordChecks().refused());
        stat("password_checks/skipped/connection_closed", null, () -> core.passwordChecks().skipped());
        if (core.store().isDurable()) {
            // Issue 14: whether the session store takes writes (1) or has failed (0, e.g. a full disk).
            stat("store/healthy", null, () -> core.store().health().ok() ? 1 : 0);
            stat("store/failures", null, () -> core.store().health().failures());
            stat("store/recoveries", null, () -> core.store().health().recoveries());
            stat("store/acknowledgements/refused", null, drops.notDurable::sum);
        }

        loads.add(new Load("load/messages/received/", () -> c.sum(Counter.PACKETS_RECEIVED)));
        loads.add(new Load("load/messages/sent/", () -> c.sum(Counter.PACKETS_SENT)));
        loads.add(new Load("load/publish/dropped/", drops::total));
        loads.add(new Load("load/publish/received/", this::publishReceived));
        loads.add(new Load("load/publish/sent/", this::publishSent));
        loads.add(new Load("load/bytes/received/", () -> c.sum(Counter.BYTES_RECEIVED)));
        loads.add(new Load("load/bytes/sent/", () -> c.sum(Counter.BYTES_SENT)));
        loads.add(new Load("load/sockets/", () -> c.sum(Counter.SOCKETS_OPENED)));
        loads.add(new Load("load/connections/", () -> c.sum(Counter.CONNECTS_RECEIVED)));
    }

    private void stat(String topic, String alias, LongSupplier value) {
        stat(topic, alias, value, false);
    }

    private void stat(String topic, String alias, LongSupplier value, boolean isMaximum) {
        stats.add(new Stat(PREFIX + topic, alias == null ? null : PREFIX + alias, value, isMaximum));
    }

    /**
     * Adds topics that are not the broker's own counters (the cluster's, which core knows nothing of):
     * {@code topics} answers full topic -> payload each time it is asked, and each topic is published
     * like the others, when its value changed. Answers the current values, to publish at once when
     * publishing is on.
     */
    public List<Value> addTopics(Supplier<Map<String, String>> topics) {
        textSources.add(topics);
        List<Value> out = new ArrayList<>();
        text(topics, out, true);
        return out;
    }

    /** Publishes {@code values} (what {@link #addTopics} answered). */
    public void publishValues(List<Value> values) {
        publish(values);
    }

    /** Publishes what {@link #start()} returns. */
    public void publishStart() {
        publish(start());
    }

    /** Publishes what {@link #update()} returns. */
    public void publishUpdate() {
        publish(update());
    }

    /**
     * The first publication, when the broker starts: the version, the uptime, every value, and every
     * load average at 0.00.
     */
    public List<Value> start() {
        lastUpdateNanos = core.clock().nanoTime();
        List<Value> out = new ArrayList<>();
        out.add(new Value(PREFIX + "version", version));
        out.add(uptime());
        values(out, true);
        for (Load load : loads) {
            load.lastCount = load.count.getAsLong();
            for (String window : LOAD_NAMES) {
                out.add(new Value(PREFIX + load.topic + window, "0.00"));
            }
        }
        return out;
    }

    /** A periodic publication: the uptime, the load averages that moved, the values that changed. */
    public List<Value> update() {
        long now = core.clock().nanoTime();
        List<Value> out = new ArrayList<>();
        out.add(uptime());
        if (now > lastUpdateNanos) {
            double elapsed = (now - lastUpdateNanos) / 1e9;
            for (int w = 0; w < LOAD_WINDOWS.length; w++) {
                for (Load load : loads) {
                    long count = load.count.getAsLong();
                    if (load.averages[w].update(count - load.lastCount, elapsed)) {
                        out.add(new Value(PREFIX + load.topic + LOAD_NAMES[w],
                                String.format(Locale.ROOT, "%.2f", load.averages[w].value())));
                    }
                }
            }
            for (Load load : loads) {
                load.lastCount = load.count.getAsLong();
            }
            lastUpdateNanos = now;
        }
        values(out, false);
        return out;
    }

    /**
     * Every integer value now, by topic (mosquitto's older alias names left out), with the uptime in
     * seconds: what mosquitto 2.1's HTTP API shows at {@code /api/v1/systree}. Publishes nothing.
     */
    public Map<String, Long> values() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Stat stat : stats) {
            out.put(stat.topic, stat.value.getAsLong());
        }
        out.put(PREFIX + "uptime", (core.clock().nanoTime() - startNanos) / 1_000_000_000L);
        return out;
    }

    private Value uptime() {
        return new Value(PREFIX + "uptime", (core.clock().nanoTime() - startNanos) / 1_000_000_000L + " seconds");
    }

    private void text(Supplier<Map<String, String>> source, List<Value> out, boolean all) {
        source.get().forEach((topic, payload) -> {
            String before = publishedText.put(topic, payload);
            if (all || !payload.equals(before)) {
                out.add(new Value(topic, payload));
            }
        });
    }

    private void values(List<Value> out, boolean all) {
        for (Stat stat : stats) {
            long value = stat.value.getAsLong();
            Long before = published.put(stat.topic, value);
            if (all || before == null || before != value) {
                String text = Long.toString(value);
                out.add(new Value(stat.topic, text));
                if (stat.alias != null) {
                    out.add(new Value(stat.alias, text));
                }
            }
        }
        for (Supplier<Map<String, String>> source : textSources) {
            text(source, out, all);
        }
    }

    /** Sends each value as a retained QoS 2 message to the retained store and current subscribers. */
    private void publish(List<Value> values) {
        for (Value v : values) {
            Message m = new Message(v.topic(), QoS.EXACTLY_ONCE, true,
                    Unpooled.copiedBuffer(v.payload(), StandardCharsets.UTF_8), Properties.EMPTY, "",
                    Message.NEVER_EXPIRES);
            core.retained().put(m.retain()); // the store takes its own reference
            core.router().route(m);
            m.release();
        }
    }

    private long clientsTotal() {
        return core.sessions().size();
    }

    private long heapUsed() {
        return memory.getHeapMemoryUsage().getUsed();
    }

    private long publishReceived() {
        return core.counters().sum(Counter.PUBLISH_RECEIVED_QOS0, Counter.PUBLISH_RECEIVED_QOS1,
                Counter.PUBLISH_RECEIVED_QOS2);
    }

    private long publishSent() {
        return core.counters().sum(Counter.PUBLISH_SENT_QOS0, Counter.PUBLISH_SENT_QOS1, Counter.PUBLISH_SENT_QOS2);
    }
}
