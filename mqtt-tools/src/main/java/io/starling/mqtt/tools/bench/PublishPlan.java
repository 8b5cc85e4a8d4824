package io.starling.mqtt.tools.bench;

import io.starling.mqtt.codec.QoS;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What {@code bench pub} sends.
 *
 * @param intervalMillis   pause between two messages of one publisher ({@code -I}); 0 is as fast as the
 *                         server takes them
 * @param rate             messages per second over all publishers ({@code -R}); 0 is no limit; overrides -I
 * @param limit            messages per publisher ({@code -L}); 0 is no limit
 * @param inflight         QoS 1 and 2 messages sent and not yet acknowledged, per publisher
 * @param hold             null, or a file whose presence pauses the publishers ({@code --hold}); once it is
 *                         gone they go on at the rate from that moment, without catching up
 */
public record PublishPlan(TopicTemplate topic, QoS qos, int payloadSize, long intervalMillis, long rate, long limit,
                          int inflight, boolean retain, Path hold) {
    public PublishPlan(TopicTemplate topic, QoS qos, int payloadSize, long intervalMillis, long rate, long limit,
                       int inflight, boolean retain) {
        this(topic, qos, payloadSize, intervalMillis, rate, limit, inflight, retain, null);
    }

    public PublishPlan {
        Objects.requireNonNull(topic);
        Objects.requireNonNull(qos);
        if (payloadSize < 0 || intervalMillis < 0 || rate < 0 || limit < 0) {
            throw new IllegalArgumentException("negative size, interval, rate or limit");
        }
        if (inflight < 1 || inflight > 65535) {
            throw new IllegalArgumentException("--inflight: 1 to 65535");
        }
    }

    /** Nanoseconds between two messages of one of {@code publishers} publishers; 0 for no pause. */
    long nanosPerMessage(int publishers) {
        if (rate > 0) {
            return Math.max(1, 1_000_000_000L * publishers / rate);
        }
        return intervalMillis * 1_000_000L;
    }
}
