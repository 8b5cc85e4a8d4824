package io.starling.broker.core;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * A warning logged at most once per second per instance, with how many were left out since, so that
 * a flood of drops or refusals cannot flood the log; counters keep the exact numbers. Any thread.
 */
public final class RateLimitedLog {
    private static final long INTERVAL_NANOS = 1_000_000_000L;
    private final AtomicLong next = new AtomicLong(System.nanoTime());
    private final AtomicLong suppressed = new AtomicLong();

    public void warn(Logger log, String format, Object... args) {
        long now = System.nanoTime();
        long due = next.get();
        if (now - due >= 0 && next.compareAndSet(due, now + INTERVAL_NANOS)) {
            long left = suppressed.getAndSet(0);
            log.warn(format + (left > 0 ? " (" + left + " more since the last report)" : ""), args);
        } else {
            suppressed.incrementAndGet();
        }
    }
}
