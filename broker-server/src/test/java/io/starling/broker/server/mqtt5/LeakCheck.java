package io.starling.broker.server.mqtt5;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * Collects the reports of Netty's leak detector (paranoid in surefire's argLine) for this package's
 * brokers. It attaches itself to the detector's logger at run time, so it needs no entry in
 * {@code logback-test.xml}. {@link #collect()} makes the detector report: it collects garbage, then
 * allocates a few tracked buffers, which is when the detector looks at what the collector found.
 */
final class LeakCheck extends AppenderBase<ILoggingEvent> {
    private static final String DETECTOR_LOGGER = "io.netty.util.ResourceLeakDetector";
    private static final LeakCheck INSTANCE = new LeakCheck();

    private final List<String> reports = new CopyOnWriteArrayList<>();

    private LeakCheck() {
    }

    @Override
    protected void append(ILoggingEvent event) {
        String message = event.getFormattedMessage();
        if (message != null && message.contains("LEAK")) {
            reports.add(message);
        }
    }

    /** Attaches the collector to the detector's logger, once per JVM. */
    static synchronized void install() {
        if (INSTANCE.isStarted()) {
            return;
        }
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        INSTANCE.setContext(context);
        INSTANCE.setName("mqtt5-leaks");
        INSTANCE.start();
        Logger detector = context.getLogger(DETECTOR_LOGGER);
        detector.addAppender(INSTANCE);
    }

    /** The leaks reported since the last call, after giving the detector its chance to report. */
    static List<String> collect() throws InterruptedException {
        for (int round = 0; round < 3; round++) {
            System.gc();
            Thread.sleep(20);
            for (int i = 0; i < 32; i++) {
                PooledByteBufAllocator.DEFAULT.buffer(8).release();
            }
        }
        List<String> out = new ArrayList<>(INSTANCE.reports);
        INSTANCE.reports.removeAll(out);
        return out;
    }
}
