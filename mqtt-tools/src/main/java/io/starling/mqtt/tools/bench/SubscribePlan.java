package io.starling.mqtt.tools.bench;

import io.starling.mqtt.codec.QoS;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What {@code bench sub} subscribes to and when it stops.
 *
 * @param expected messages to receive over all subscribers ({@code -L}); 0 is no limit
 * @param idleExit stop once messages have come and none came for this long; zero never
 * @param warmup   latency is recorded only for messages received this long after the first one, so that
 *                 the JIT compiling both bench processes does not show in the percentiles
 * @param window   null, or a file that will hold a Unix time in milliseconds: latency is then recorded only
 *                 for messages stamped at or after it, once the file is there (a harness opens a measuring
 *                 window while warm clients run on)
 */
public record SubscribePlan(List<TopicTemplate> topics, QoS qos, long expected, Duration idleExit, Duration warmup,
                            Path window) {
    public SubscribePlan(List<TopicTemplate> topics, QoS qos, long expected, Duration idleExit, Duration warmup) {
        this(topics, qos, expected, idleExit, warmup, null);
    }

    public SubscribePlan {
        topics = List.copyOf(topics);
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("-t: at least one topic filter");
        }
        if (expected < 0 || idleExit.isNegative() || warmup.isNegative()) {
            throw new IllegalArgumentException("negative limit or idle time");
        }
    }
}
