package io.starling.mqtt.tools.bench;

import java.time.Instant;

/**
 * Wall-clock time in nanoseconds since the epoch, read as cheaply as {@link System#nanoTime()}: the
 * offset between the two clocks is measured once, so that the publisher's and the subscriber's
 * processes agree to a few microseconds, which a latency across processes needs, and no {@link Instant}
 * is made per message.
 */
final class EpochClock {
    static final EpochClock SYSTEM = new EpochClock();

    private final long offset;

    private EpochClock() {
        // The sample with the shortest nanoTime bracket is the one least disturbed by a pause or a
        // context switch between the readings.
        long best = Long.MAX_VALUE;
        long bestOffset = 0;
        for (int i = 0; i < 50; i++) {
            long before = System.nanoTime();
            Instant now = Instant.now();
            long after = System.nanoTime();
            if (after - before < best) {
                best = after - before;
                bestOffset = now.getEpochSecond() * 1_000_000_000L + now.getNano() - (before + (after - before) / 2);
            }
        }
        offset = bestOffset;
    }

    long nanos() {
        return System.nanoTime() + offset;
    }
}
