package io.starling.broker.core;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * A warning logged at most once per interval (a second unless said) per instance, with how many were
 * left out since, so that a flood of drops, refusals or an attack cannot flood the log; counters keep
 * the exact numbers. The one such mechanism of the broker. Any thread.
 */
public final class RateLimitedLog {
    private final long intervalNanos;
    private final AtomicLong next = new AtomicLong(System.nanoTime());
    private final AtomicLong suppressed = new AtomicLong();

    public RateLimitedLog() {
        this(1);
    }

    public RateLimitedLog(long intervalSeconds) {
        this.intervalNanos = java.util.concurrent.TimeUnit.SECONDS.toNanos(intervalSeconds);
    }

    public void warn(Logger log, String format, Object... args) {
        long now = System.nanoTime();
        long due = next.get();
        if (now - due >= 0 && next.compareAndSet(due, now + intervalNanos)) {
            long left = suppressed.getAndSet(0);
            log.warn(format + (left > 0 ? " (" + left + " more since the last report)" : ""), args);
        } else {
            suppressed.incrementAndGet();
        }
    }
}
