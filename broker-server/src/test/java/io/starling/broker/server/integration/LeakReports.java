package io.starling.broker.server.integration;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Collects the reports of Netty's leak detector (paranoid in surefire's argLine), which logs them as
 * errors through SLF4J; {@code logback-test.xml} attaches this appender to the detector's logger.
 * {@link #collect()} makes the detector report: it collects garbage, then allocates a few tracked
 * buffers, which is when the detector looks at what the collector found.
 */
public final class LeakReports extends AppenderBase<ILoggingEvent> {
    private static final List<String> REPORTS = new CopyOnWriteArrayList<>();

    @Override
    protected void append(ILoggingEvent event) {
        String message = event.getFormattedMessage();
        if (message != null && message.contains("LEAK")) {
            REPORTS.add(message);
        }
    }

    /** The leaks reported since the last call, after giving the detector its chance to report. */
    public static List<String> collect() throws InterruptedException {
        for (int round = 0; round < 3; round++) {
            System.gc();
            Thread.sleep(20);
            for (int i = 0; i < 32; i++) {
                PooledByteBufAllocator.DEFAULT.buffer(8).release();
            }
        }
        List<String> out = new ArrayList<>(REPORTS);
        REPORTS.removeAll(out);
        return out;
    }
}
