package io.starling.mqtt.tools.bench;

import io.netty.channel.EventLoopGroup;
import io.starling.mqtt.codec.Disconnect;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.tools.client.ClientOptions;
import io.starling.mqtt.tools.client.MessageListener;
import io.starling.mqtt.tools.client.MqttClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import org.HdrHistogram.Histogram;

/**
 * Opens a run's connections and closes them: {@code -c} clients, one every {@code -i} milliseconds (or
 * {@link #MAX_PENDING} at a time, so that the server's listen backlog is not flooded), counted in the
 * {@link Meter} as they come and go. Connect times (TCP, TLS, CONNECT to CONNACK) go to a histogram.
 */
final class Connections {
    static final int MAX_PENDING = 256;

    private final ConnectionPlan plan;
    private final EventLoopGroup group;
    private final Meter meter;
    private final AtomicReferenceArray<MqttClient> clients;
    private final Histogram connectMicros = new Histogram(3);
    private final AtomicReference<Throwable> firstError = new AtomicReference<>();
    private volatile boolean closing;
    private long openNanos;

    Connections(ConnectionPlan plan, EventLoopGroup group, Meter meter) {
        this.plan = plan;
        this.group = group;
        this.meter = meter;
        this.clients = new AtomicReferenceArray<>(plan.clients());
    }

    /** Connects every client, with the listener {@code listenerFor(index)}; returns when all have connected or failed. */
    void open(IntFunction<MessageListener> listenerFor, BooleanSupplier stopped) throws InterruptedException {
        Semaphore pending = new Semaphore(MAX_PENDING);
        long start = System.nanoTime();
        long intervalNanos = plan.connectInterval().toNanos();
        for (int i = 1; i <= plan.clients() && !stopped.getAsBoolean(); i++) {
            if (intervalNanos > 0 && i > 1) {
                TimeUnit.NANOSECONDS.sleep(start + intervalNanos * (i - 1) - System.nanoTime());
            }
            pending.acquire();
            int index = i;
            ClientOptions.Builder options = plan.base().toBuilder()
                    .clientId(plan.clientIdPrefix() + index)
                    .group(group);
            if (!plan.sourceAddresses().isEmpty()) {
                options.sourceAddress(plan.sourceAddresses().get((index - 1) % plan.sourceAddresses().size()));
            }
            long begun = System.nanoTime();
            CompletableFuture<MqttClient> connecting;
            try {
                connecting = MqttClient.connect(options.build(), new Counted(listenerFor.apply(index)));
            } catch (RuntimeException e) {
                pending.release();
                failed(e);
                continue;
            }
            connecting.whenComplete((client, error) -> {
                if (error != null) {
                    failed(error);
                } else {
                    synchronized (connectMicros) {
                        connectMicros.recordValue(Math.max(0, (System.nanoTime() - begun) / 1000));
                    }
                    clients.set(index - 1, client);
                    meter.connected.incrementAndGet();
                }
                pending.release();
            });
        }
        pending.acquire(MAX_PENDING);
        openNanos = System.nanoTime() - start;
    }

    private void failed(Throwable error) {
        meter.errors.increment();
        firstError.compareAndSet(null, error.getCause() != null && error.getCause() != error ? error.getCause() : error);
    }

    /** The client with index {@code index} (from 1), or null when it did not connect. */
    MqttClient client(int index) {
        return clients.get(index - 1);
    }

    List<MqttClient> connected() {
        List<MqttClient> all = new ArrayList<>();
        for (int i = 0; i < clients.length(); i++) {
            if (clients.get(i) != null) {
                all.add(clients.get(i));
            }
        }
        return all;
    }

    Throwable firstError() {
        return firstError.get();
    }

    /** Sends DISCONNECT on every connection and waits for them to close. */
    void closeAll() throws InterruptedException {
        closing = true;
        List<CompletableFuture<Void>> closed = new ArrayList<>();
        for (MqttClient client : connected()) {
            closed.add(client.disconnect(0, Properties.EMPTY));
        }
        try {
            CompletableFuture.allOf(closed.toArray(CompletableFuture[]::new)).get(10 + closed.size() / 1000,
                    TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // the summary counts what came in; a connection that will not close does not change it
        }
    }

    /** Adds the connect line and values to the report. */
    void report(Report report) {
        synchronized (connectMicros) {
            report.line(String.format("connections: %,d of %,d in %,.1f ms (each: p50 %,.1f ms, p99 %,.1f ms, max %,.1f ms)",
                    connectMicros.getTotalCount(), plan.clients(), openNanos / 1e6,
                    connectMicros.getValueAtPercentile(50) / 1e3, connectMicros.getValueAtPercentile(99) / 1e3,
                    connectMicros.getMaxValue() / 1e3));
            report.value("clients", plan.clients()).value("connected", connectMicros.getTotalCount())
                    .value("connect_total_ms", openNanos / 1e6)
                    .value("connect_p50_ms", connectMicros.getValueAtPercentile(50) / 1e3)
                    .value("connect_p99_ms", connectMicros.getValueAtPercentile(99) / 1e3);
        }
        Throwable error = firstError.get();
        if (error != null) {
            report.line("first error: " + error);
        }
    }

    /** Keeps the meter's connected count and errors as connections end. */
    private final class Counted implements MessageListener {
        private final MessageListener delegate;

        Counted(MessageListener delegate) {
            this.delegate = delegate;
        }

        @Override
        public void onMessage(MqttClient client, Publish publish) {
            delegate.onMessage(client, publish);
        }

        @Override
        public void onWritable(MqttClient client) {
            delegate.onWritable(client);
        }

        @Override
        public void onDisconnect(MqttClient client, Disconnect disconnect) {
            delegate.onDisconnect(client, disconnect);
        }

        @Override
        public void onClosed(MqttClient client, Throwable cause) {
            meter.connected.decrementAndGet();
            if (cause != null && !closing) {
                failed(cause);
            }
            delegate.onClosed(client, cause);
        }
    }
}
