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
 * Latency is not recorded during the plan's warm-up, which starts at the first message, nor for
 * messages stamped before the measuring window opens ({@link #openWindow}).
 *
 * <p>Threading: the connection's event loop; the summary reads the fields once the connection closed.
 */
final class Subscriber implements MessageListener {
    private final Meter meter;
    private final long warmupNanos;
    /** Messages stamped before this (epoch nanoseconds) are not timed; set once by the run's polling thread. */
    private volatile long windowStartNanos;
    final Histogram latencyMicros = new Histogram(3);
    final StreamCheck streams = new StreamCheck();
    long received;
    long firstNanos;
    long lastNanos;

    /** @param windowed whether latency waits for {@link #openWindow}; otherwise every stamped message counts */
    Subscriber(Meter meter, long warmupNanos, boolean windowed) {
        this.meter = meter;
        this.warmupNanos = warmupNanos;
        this.windowStartNanos = windowed ? Long.MAX_VALUE : Long.MIN_VALUE;
    }

    /** Times the messages stamped at or after {@code epochNanos}, and only those. */
    void openWindow(long epochNanos) {
        windowStartNanos = epochNanos;
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
            if (now - firstNanos >= warmupNanos && PayloadStamp.sentAt(payload) >= windowStartNanos) {
                latencyMicros.recordValue(Math.max(0, (EpochClock.SYSTEM.nanos() - PayloadStamp.sentAt(payload)) / 1000));
            }
            streams.record(PayloadStamp.stream(payload), PayloadStamp.sequence(payload));
        }
    }
}
