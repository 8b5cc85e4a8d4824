package io.starling.broker.core.testing;

import io.starling.broker.core.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A {@link Clock} that stands still until a test advances it. Thread-safe. */
public final class FakeClock implements Clock {
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

    public void advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("a monotonic clock cannot go back: " + duration);
        }
        nanos.addAndGet(duration.toNanos());
    }
}
