package io.starling.broker.bridge;

import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.EventExecutor;
import io.starling.broker.config.BridgeConfig;
import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.routing.LoopOutbox;
import io.starling.broker.transport.EventLoops;
import io.starling.broker.transport.TlsContexts;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The bridges of a broker ({@code connection} sections), each on one of the worker loops. */
public final class Bridges implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("io.starling.broker.bridge");

    private final List<Bridge> bridges;

    private Bridges(List<Bridge> bridges) {
        this.bridges = bridges;
    }

    /**
     * Starts every bridge; they connect in the background and again whenever they lose their connection.
     *
     * @param receiveMaximum unacknowledged QoS 1/2 messages each side may have in flight ({@code max_inflight_messages})
     * @throws io.starling.broker.transport.TlsSetupException when a bridge's TLS files cannot be used
     */
    public static Bridges start(List<BridgeConfig> configs, BrokerCore core, EventLoops loops, int receiveMaximum) {
        List<Bridge> started = new ArrayList<>();
        List<LoopOutbox> outboxes = loops.outboxes();
        Iterator<EventExecutor> workers = loops.workers().iterator();
        int i = 0;
        for (BridgeConfig config : configs) {
            if (!workers.hasNext()) {
                workers = loops.workers().iterator();
                i = 0;
            }
            EventLoop loop = (EventLoop) workers.next();
            SslContext tls = config.tls() == null ? null : TlsContexts.client(config.tls().cafile(),
                    config.tls().capath(), config.tls().certfile(), config.tls().keyfile(), config.tls().version(),
                    config.tls().alpn());
            started.add(new Bridge(config, core, loop, outboxes.get(i++), loops.socketChannel(), tls,
                    Math.max(1, Math.min(receiveMaximum, 65535))));
        }
        started.forEach(Bridge::start);
        return new Bridges(started);
    }

    public int size() {
        return bridges.size();
    }

    /** Each bridge's state, in config order. */
    public List<BridgeStatus> status() {
        List<BridgeStatus> out = new ArrayList<>(bridges.size());
        bridges.forEach(b -> out.add(b.status()));
        return out;
    }

    /**
     * {@code $SYS/broker/bridges/<name>/...}: {@code connected} (1 or 0), {@code address}, {@code messages/sent},
     * {@code messages/received}, {@code connections}. Mosquitto publishes only the notification topic.
     */
    public java.util.Map<String, String> sysTopics() {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        for (BridgeStatus s : status()) {
            String base = "$SYS/broker/bridges/" + s.name() + "/";
            out.put(base + "connected", s.connected() ? "1" : "0");
            out.put(base + "address", s.address());
            out.put(base + "messages/sent", Long.toString(s.messagesSent()));
            out.put(base + "messages/received", Long.toString(s.messagesReceived()));
            out.put(base + "connections", Long.toString(s.connects()));
        }
        return out;
    }

    /** Disconnects every bridge from its remote broker (waits up to two seconds for the DISCONNECTs to go). */
    @Override
    public void close() {
        List<java.util.concurrent.CompletableFuture<Void>> stopped = new ArrayList<>();
        for (Bridge b : bridges) {
            stopped.add(b.stop());
        }
        try {
            java.util.concurrent.CompletableFuture.allOf(stopped.toArray(java.util.concurrent.CompletableFuture[]::new))
                    .get(2, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.warn("Bridges did not stop within 2 s: {}", e.toString());
        }
    }
}
