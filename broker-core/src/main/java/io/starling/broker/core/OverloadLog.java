package io.starling.broker.core;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * A warning that is logged at most once per interval, with how often it happened in between: an
 * attacker must not be able to flood the log with the broker's own defence. Thread-safe.
 */
public final class OverloadLog {
    private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Logger log;
    private final AtomicLong nextNanos = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong suppressed = new AtomicLong();

    public OverloadLog(Logger log) {
        this.log = log;
    }

    /** Logs {@code message} (an SLF4J pattern) unless one was logged in the last interval; then counts it. */
    public void warn(String message, Object... args) {
        long now = System.nanoTime();
        long next = nextNanos.get();
        if ((next != Long.MIN_VALUE && now - next < 0) || !nextNanos.compareAndSet(next, now + INTERVAL_NANOS)) {
            suppressed.incrementAndGet();
            return;
        }
        long skipped = suppressed.getAndSet(0);
        if (skipped > 0) {
            log.warn(message + " ({} more like it in the last interval)", append(args, skipped));
        } else {
            log.warn(message, args);
        }
    }

    private static Object[] append(Object[] args, long value) {
        Object[] all = java.util.Arrays.copyOf(args, args.length + 1);
        all[args.length] = value;
        return all;
    }
}
