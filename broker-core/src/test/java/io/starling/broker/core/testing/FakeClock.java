package io.starling.broker.core.testing;

import io.starling.broker.core.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Clock} that stands still until a test advances it. Thread-safe. Its wall clock starts on a
 * whole second ({@link #WALL_START_MILLIS}) and advances with it.
 */
public final class FakeClock implements Clock {
    /** The wall-clock time at nanoTime 0: a whole second (2027-01-15T08:00:00Z). */
    public static final long WALL_START_MILLIS = 1_800_000_000_000L;

    private final AtomicLong nanos;

    public FakeClock() {
        this(0);
    }

    public FakeClock(long startNanos) {
        this.nanos = new AtomicLong(startNanos);
    }

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    @Override
    public long currentTimeMillis() {
        return WALL_START_MILLIS + Math.floorDiv(nanos.get(), 1_000_000L);
    }

    public void advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("a monotonic clock cannot go back: " + duration);
        }
        nanos.addAndGet(duration.toNanos());
    }
}
