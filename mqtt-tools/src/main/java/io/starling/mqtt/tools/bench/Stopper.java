package io.starling.mqtt.tools.bench;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * When a run stops early: on Ctrl-C (SIGINT) or SIGTERM the JVM runs its shutdown hooks, and this one
 * asks the run to stop, then holds the JVM until the run has printed its summary (at most
 * {@link #GRACE_SECONDS}), so that an interrupted run still reports what it measured.
 */
final class Stopper {
    static final int GRACE_SECONDS = 15;

    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook = new Thread(this::onSignal, "bench-stop");

    Stopper install() {
        Runtime.getRuntime().addShutdownHook(hook);
        return this;
    }

    private void onSignal() {
        stop.countDown();
        try {
            finished.await(GRACE_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    boolean stopped() {
        return stop.getCount() == 0;
    }

    /** Waits up to {@code nanos} for a stop request; true when one came. */
    boolean await(long nanos) throws InterruptedException {
        return stop.await(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    }

    /** The run is over and reported: a pending signal may end the JVM now. */
    void finished() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // shutting down already: the hook is running and returns now
        }
    }
}
