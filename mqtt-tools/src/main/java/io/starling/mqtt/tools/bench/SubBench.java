package io.starling.mqtt.tools.bench;

import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.SubAck;
import io.starling.mqtt.codec.Subscription;
import io.starling.mqtt.codec.SubscriptionOptions;
import io.starling.mqtt.tools.client.MessageListener;
import io.starling.mqtt.tools.client.MqttClient;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * {@code bench sub}: every client subscribes to the {@code -t} filters, then messages are counted until
 * {@code -L} arrived (over all subscribers), none came for {@code --idle-exit}, the duration is over, or
 * Ctrl-C. "subscribed N/N" on standard error says when publishing may begin. The rate is messages over
 * the time from the first to the last one received.
 */
public final class SubBench extends BenchRun {
    private final SubscribePlan subscribe;
    private final Subscriber[] subscribers;

    public SubBench(ConnectionPlan plan, SubscribePlan subscribe, PrintStream out, PrintStream err) {
        super(plan, new Meter(plan.clients(), false, true), out, err);
        this.subscribe = subscribe;
        this.subscribers = new Subscriber[plan.clients()];
    }

    public int run() {
        return execute();
    }

    @Override
    MessageListener listener(int index) {
        subscribers[index - 1] = new Subscriber(meter, subscribe.warmup().toNanos(), subscribe.window() != null);
        return subscribers[index - 1];
    }

    @Override
    int measure() throws InterruptedException {
        if (!subscribeAll()) {
            return 1;
        }
        long start = System.nanoTime();
        long[] lastChange = {start};
        long[] lastCount = {0};
        long idle = subscribe.idleExit().toNanos();
        MeasuringWindow window = new MeasuringWindow(subscribe.window());
        waitUntil(() -> {
            window.openWhenMarked(subscribers);
            long count = meter.received.sum();
            long now = System.nanoTime();
            if (count != lastCount[0]) {
                lastCount[0] = count;
                lastChange[0] = now;
            }
            return subscribe.expected() > 0 && count >= subscribe.expected()
                    || idle > 0 && count > 0 && now - lastChange[0] >= idle;
        }, start);
        return subscribe.expected() > 0 && meter.received.sum() < subscribe.expected() ? 1 : 0;
    }

    private boolean subscribeAll() throws InterruptedException {
        List<CompletableFuture<SubAck>> acks = new ArrayList<>();
        for (int i = 1; i <= subscribers.length; i++) {
            MqttClient client = connections.client(i);
            if (client == null) {
                continue;
            }
            List<Subscription> filters = new ArrayList<>();
            for (TopicTemplate t : subscribe.topics()) {
                filters.add(new Subscription(t.expand(i, client.clientId()), SubscriptionOptions.of(subscribe.qos())));
            }
            acks.add(client.subscribe(filters, Properties.EMPTY));
        }
        int granted = 0;
        for (CompletableFuture<SubAck> ack : acks) {
            try {
                SubAck subAck = ack.get(30, TimeUnit.SECONDS);
                if (subAck.reasonCodes().stream().allMatch(code -> code < 0x80)) {
                    granted++;
                } else {
                    err.println("Error: subscription refused, reason codes " + subAck.reasonCodes());
                    meter.errors.increment();
                }
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                err.println("Error: no SUBACK: " + e.getMessage());
                meter.errors.increment();
            }
        }
        err.printf("subscribed %d/%d%n", granted, acks.size());
        err.flush();
        return granted > 0;
    }

    @Override
    Report report() {
        Histogram latency = new Histogram(3);
        long received = 0;
        long lost = 0;
        long duplicates = 0;
        long reordered = 0;
        int streams = 0;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (Subscriber s : subscribers) {
            if (s == null || s.received == 0) {
                continue;
            }
            received += s.received;
            latency.add(s.latencyMicros);
            lost += s.streams.lost();
            duplicates += s.streams.duplicates();
            reordered += s.streams.reordered();
            streams += s.streams.streams();
            first = Math.min(first, s.firstNanos);
            last = Math.max(last, s.lastNanos);
        }
        double seconds = received == 0 ? 0 : (last - first) / 1e9;
        double rate = seconds > 0 ? received / seconds : 0;
        Report report = new Report("sub");
        report.line(String.format("received: %,d messages in %.3f s (first to last) = %,.0f msg/s", received, seconds, rate));
        report.line(String.format("streams: %d (publisher × subscriber)  lost: %,d  duplicated: %,d  reordered: %,d",
                streams, lost, duplicates, reordered));
        report.latency(latency);
        return report.value("received", received).value("seconds", seconds).value("rate", rate)
                .value("streams", streams).value("lost", lost).value("duplicates", duplicates)
                .value("reordered", reordered);
    }
}
