package io.starling.mqtt.tools.bench;

import java.io.PrintStream;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters of one bench run, added to by every connection's event loop, and the live progress line
 * printed from them once a second (to standard error, so that standard output keeps the summary):
 * <pre>  [5s] connected 8/8  sent 152,301/s  received 151,998/s  errors 0</pre>
 */
final class Meter {
    final AtomicInteger connected = new AtomicInteger();
    final LongAdder sent = new LongAdder();
    final LongAdder received = new LongAdder();
    final LongAdder errors = new LongAdder();
    private final int clients;
    private final boolean showSent;
    private final boolean showReceived;
    private Thread printer;

    Meter(int clients, boolean showSent, boolean showReceived) {
        this.clients = clients;
        this.showSent = showSent;
        this.showReceived = showReceived;
    }

    /** Starts the progress line on a daemon thread. */
    void startProgress(PrintStream err) {
        printer = new Thread(() -> {
            long start = System.nanoTime();
            long lastSent = 0;
            long lastReceived = 0;
            long lastAt = start;
            try {
                for (int second = 1; ; second++) {
                    long next = start + TimeUnit.SECONDS.toNanos(second);
                    TimeUnit.NANOSECONDS.sleep(Math.max(0, next - System.nanoTime()));
                    long now = System.nanoTime();
                    long s = sent.sum();
                    long r = received.sum();
                    err.println(line(second, connected.get(), (s - lastSent) * 1e9 / (now - lastAt),
                            (r - lastReceived) * 1e9 / (now - lastAt), errors.sum()));
                    err.flush();
                    lastSent = s;
                    lastReceived = r;
                    lastAt = now;
                }
            } catch (InterruptedException e) {
                // the run is over
            }
        }, "bench-progress");
        printer.setDaemon(true);
        printer.start();
    }

    void stopProgress() {
        if (printer != null) {
            printer.interrupt();
        }
    }

    String line(int second, int connectedNow, double sentPerSecond, double receivedPerSecond, long errorCount) {
        StringBuilder b = new StringBuilder();
        b.append('[').append(second).append("s] connected ").append(connectedNow).append('/').append(clients);
        if (showSent) {
            b.append(String.format("  sent %,.0f/s", sentPerSecond));
        }
        if (showReceived) {
            b.append(String.format("  received %,.0f/s", receivedPerSecond));
        }
        return b.append("  errors ").append(errorCount).toString();
    }
}
