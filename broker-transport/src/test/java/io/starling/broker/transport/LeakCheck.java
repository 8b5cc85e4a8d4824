package io.starling.broker.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty's leak detector (paranoid in surefire's argLine) reports a leaked
 * buffer. Netty logs through java.util.logging here (no SLF4J on this module's test classpath), so a
 * handler on the detector's logger collects the reports; after the class, garbage is collected and a
 * few tracked buffers are allocated, which is when the detector reports what the collector found.
 * Only tracked buffers can be reported: pooled buffers, direct buffers and composites, which is why the
 * tests allocate from {@link PooledByteBufAllocator}.
 */
public final class LeakCheck implements BeforeAllCallback, AfterAllCallback {
    /** Held strongly: java.util.logging keeps loggers weakly, and would drop the handler with them. */
    private static final Logger DETECTOR_LOG = Logger.getLogger("io.netty.util.ResourceLeakDetector");
    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    static {
        DETECTOR_LOG.addHandler(new Handler() {
            @Override
            public void publish(LogRecord record) {
                String message = record.getMessage();
                if (message != null && message.contains("LEAK")) {
                    LEAKS.add(message);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        // The static initializer has installed the handler.
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
        List<String> leaks = List.copyOf(LEAKS);
        LEAKS.clear();
        assertThat(leaks).as("buffers leaked (reported after %s)", context.getDisplayName()).isEmpty();
    }
}
