package io.starling.mqtt.tools.bench;

import io.netty.buffer.ByteBuf;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.tools.client.MessageListener;
import io.starling.mqtt.tools.client.MqttClient;
import org.HdrHistogram.Histogram;

/**
 * One subscribing connection of {@code bench sub}: counts each message, and for stamped payloads records
 * the end-to-end latency (receive time minus the publisher's stamp, both wall-clock, in microseconds;
 * negative clock differences count as 0) and checks the publisher's stream.
 *
 * Latency is not recorded during the plan's warm-up, which starts at the first message.
 *
 * <p>Threading: the connection's event loop; the summary reads the fields once the connection closed.
 */
final class Subscriber implements MessageListener {
    private final Meter meter;
    private final long warmupNanos;
    final Histogram latencyMicros = new Histogram(3);
    final StreamCheck streams = new StreamCheck();
    long received;
    long firstNanos;
    long lastNanos;

    Subscriber(Meter meter, long warmupNanos) {
        this.meter = meter;
        this.warmupNanos = warmupNanos;
    }

    @Override
    public void onMessage(MqttClient client, Publish publish) {
        long now = System.nanoTime();
        if (received++ == 0) {
            firstNanos = now;
        }
        lastNanos = now;
        meter.received.increment();
        ByteBuf payload = publish.payload();
        if (PayloadStamp.isStamped(payload)) {
            if (now - firstNanos >= warmupNanos) {
                latencyMicros.recordValue(Math.max(0, (EpochClock.SYSTEM.nanos() - PayloadStamp.sentAt(payload)) / 1000));
            }
            streams.record(PayloadStamp.stream(payload), PayloadStamp.sequence(payload));
        }
    }
}
