package io.starling.broker.core.time;

import java.util.concurrent.TimeUnit;

/**
 * The MQTT 5 Message Expiry Interval (§3.3.2.3.3) counted as mosquitto 2.0.11 counts it (issue 15,
 * measured with raw packets): in whole seconds of the wall clock. A message that arrives in second
 * {@code A} with interval {@code I} is expired once the clock is past second {@code A + I}, and one
 * sent in second {@code N} carries {@code A + I - N}: it lives between {@code I} and {@code I + 1}
 * seconds, and in its last second it carries 0 (mosquitto leaves the property out then, see
 * docs/compatibility.md).
 *
 * <p>The broker keeps this as one instant on the monotonic {@link Clock}: the start of second
 * {@code A + I + 1}. A message is expired from that instant on, and the seconds it carries are the
 * whole seconds left before it, less one.
 */
public final class MessageExpiry {
    private static final long NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);

    private MessageExpiry() {
    }

    /** When a message arriving now with {@code intervalSeconds} (more than 0) expires, on {@code clock}'s nanoTime. */
    public static long at(Clock clock, long intervalSeconds) {
        long now = clock.nanoTime();
        long toNextSecondMillis = 1000 - Math.floorMod(clock.currentTimeMillis(), 1000L);
        return now + TimeUnit.MILLISECONDS.toNanos(toNextSecondMillis) + TimeUnit.SECONDS.toNanos(intervalSeconds);
    }

    /** The Message Expiry Interval a message expiring at {@code expiryAtNanos} carries when sent now: 0 or more. */
    public static long secondsLeft(Clock clock, long expiryAtNanos) {
        long leftNanos = expiryAtNanos - clock.nanoTime();
        return Math.max(0, Math.floorDiv(leftNanos + NANOS_PER_SECOND - 1, NANOS_PER_SECOND) - 1);
    }
}
