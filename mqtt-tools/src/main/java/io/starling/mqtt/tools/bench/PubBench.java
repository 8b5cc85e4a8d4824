package io.starling.mqtt.tools.bench;

import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.tools.client.MessageListener;
import io.starling.mqtt.tools.client.MqttClient;
import java.io.PrintStream;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench pub}: every client publishes (see {@link Publisher}) from the moment all are connected
 * until each reached {@code -L}, the duration is over, or Ctrl-C; QoS 1 and 2 messages in flight then
 * get up to {@link #DRAIN_SECONDS} to be acknowledged. The rate is messages sent over that window.
 */
public final class PubBench extends BenchRun {
    static final int DRAIN_SECONDS = 10;

    private final PublishPlan publish;
    private final Publisher[] publishers;
    private final int run = ThreadLocalRandom.current().nextInt();
    private long sendNanos;
    private int active;

    public PubBench(ConnectionPlan plan, PublishPlan publish, PrintStream out, PrintStream err) {
        super(plan, new Meter(plan.clients(), true, false), out, err);
        this.publish = publish;
        this.publishers = new Publisher[plan.clients()];
    }

    public int run() {
        return execute();
    }

    @Override
    MessageListener listener(int index) {
        publishers[index - 1] = new Publisher(index, run, publish, meter);
        return publishers[index - 1];
    }

    @Override
    int measure() throws InterruptedException {
        active = meter.connected.get();
        long start = System.nanoTime();
        for (int i = 1; i <= publishers.length; i++) {
            MqttClient client = connections.client(i);
            if (client != null) {
                publishers[i - 1].start(client, start, publish.nanosPerMessage(active));
            }
        }
        HoldFile hold = new HoldFile(publish.hold());
        long stopped = waitUntil(() -> {
            hold.apply(publishers);
            return allFinished();
        }, start);
        sendNanos = stopped - start;
        for (Publisher p : publishers) {
            p.stop();
        }
        if (publish.qos() != QoS.AT_MOST_ONCE) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DRAIN_SECONDS);
            while (!allFinished() && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(5);
            }
        }
        return 0;
    }

    private boolean allFinished() {
        for (int i = 0; i < publishers.length; i++) {
            if (connections.client(i + 1) != null && !publishers[i].finished()) {
                return false;
            }
        }
        return true;
    }

    @Override
    Report report() {
        long sent = 0;
        long acked = 0;
        long failed = 0;
        for (int i = 0; i < publishers.length; i++) {
            if (connections.client(i + 1) != null) {
                sent += publishers[i].sent();
                acked += publishers[i].acked();
                failed += publishers[i].failed();
            }
        }
        double seconds = sendNanos / 1e9;
        Report report = new Report("pub");
        report.line(String.format("sent: %,d messages in %.3f s = %,.0f msg/s (QoS %d, %d-byte payloads, %d publishers)",
                sent, seconds, sent / seconds, publish.qos().value(), publish.payloadSize(), active));
        if (publish.qos() != QoS.AT_MOST_ONCE) {
            report.line(String.format("acknowledged: %,d  failed: %,d  unacknowledged: %,d", acked, failed,
                    sent - acked - failed));
        }
        return report.value("qos", publish.qos().value()).value("sent", sent).value("acked", acked)
                .value("failed", failed).value("seconds", seconds).value("rate", sent / seconds);
    }
}
