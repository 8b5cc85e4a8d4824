package io.starling.broker.core.session;

import io.starling.broker.core.RateLimitedLog;
import org.slf4j.Logger;

/** Logs dropped messages at most once per second (see {@link RateLimitedLog}). */
final class DropLog {
    private static final RateLimitedLog LOG = new RateLimitedLog();

    private DropLog() {
    }

    static void warn(Logger log, String format, Object... args) {
        LOG.warn(log, format, args);
    }
}
