package io.starling.broker.core.session;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs dropped messages at most once per second, so that a flood of drops cannot flood the log;
 * the drop counters keep the exact numbers.
 */
final class DropLog {
    private static final long INTERVAL_NANOS = 1_000_000_000L;
    private static final AtomicLong NEXT = new AtomicLong(System.nanoTime());
    private static final AtomicLong SUPPRESSED = new AtomicLong();

    private DropLog() {
    }

    static void warn(Logger log, String format, Object... args) {
        long now = System.nanoTime();
        long next = NEXT.get();
        if (now - next >= 0 && NEXT.compareAndSet(next, now + INTERVAL_NANOS)) {
            long suppressed = SUPPRESSED.getAndSet(0);
            log.warn(format + (suppressed > 0 ? " (" + suppressed + " more dropped since the last report)" : ""), args);
        } else {
            SUPPRESSED.incrementAndGet();
        }
    }
}
