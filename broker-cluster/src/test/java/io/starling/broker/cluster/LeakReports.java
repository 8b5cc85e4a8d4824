package io.starling.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty's leak detector (paranoid in surefire's argLine) reported a leaked
 * buffer. The detector logs through SLF4J; {@code logback-test.xml} attaches this appender to its
 * logger. After the class, garbage is collected and a few tracked buffers allocated, which is when the
 * detector reports what the collector found (as broker-server's {@code LeakReports}).
 */
public final class LeakReports extends AppenderBase<ILoggingEvent> implements AfterAllCallback {
    private static final List<String> REPORTS = new CopyOnWriteArrayList<>();

    @Override
    protected void append(ILoggingEvent event) {
        String message = event.getFormattedMessage();
        if (message != null && message.contains("LEAK")) {
            REPORTS.add(message);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        for (int round = 0; round < 3; round++) {
            System.gc();
            Thread.sleep(20);
            for (int i = 0; i < 32; i++) {
                PooledByteBufAllocator.DEFAULT.buffer(8).release();
            }
        }
        List<String> leaks = new ArrayList<>(REPORTS);
        REPORTS.removeAll(leaks);
        assertThat(leaks).as("buffers leaked (reported after %s)", context.getDisplayName()).isEmpty();
    }
}
