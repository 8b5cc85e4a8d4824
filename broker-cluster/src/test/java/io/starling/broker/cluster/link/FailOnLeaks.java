package io.starling.broker.cluster.link;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Fails a test class after which Netty's leak detector (paranoid, see the surefire argLine) reports a
 * leaked buffer, as broker-server's FailOnLeaks does; attaches itself to the detector's logger, so it
 * needs no logback configuration. Used with {@code @ExtendWith}.
 */
public final class FailOnLeaks extends AppenderBase<ILoggingEvent> implements BeforeAllCallback, AfterAllCallback {
    private static final List<String> REPORTS = new CopyOnWriteArrayList<>();
    private static final FailOnLeaks APPENDER = new FailOnLeaks();

    @Override
    protected void append(ILoggingEvent event) {
        String message = event.getFormattedMessage();
        if (message != null && message.contains("LEAK")) {
            REPORTS.add(message);
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        synchronized (APPENDER) {
            if (!APPENDER.isStarted()) {
                LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
                APPENDER.setContext(logging);
                APPENDER.setName("link-leaks");
                APPENDER.start();
                Logger detector = logging.getLogger("io.netty.util.ResourceLeakDetector");
                detector.addAppender(APPENDER);
            }
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        for (int round = 0; round < 3; round++) { // the detector reports what the collector found at the next allocations
            System.gc();
            Thread.sleep(20);
            for (int i = 0; i < 32; i++) {
                PooledByteBufAllocator.DEFAULT.buffer(8).release();
            }
        }
        List<String> leaks = new ArrayList<>(REPORTS);
        REPORTS.removeAll(leaks);
        assertThat(leaks).as("ByteBuf leaks reported after %s", context.getDisplayName()).isEmpty();
    }
}
