package io.starling.broker.core.routing;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * Holds every event loop between two read batches while something broker-wide changes, so that no
 * packet is handled half under the old state and half under the new: what each loop reads after the
 * barrier is up is handled only once the change is complete (issue 15: a SIGHUP reload takes effect
 * between reads, as in mosquitto, whose single thread reloads between two passes over its sockets).
 *
 * <p>How: {@link #hold} queues a task on every loop and returns once all of them run, so each loop has
 * finished the read batch it was in and waits in that task. The caller changes what it must, then
 * {@link #release}s them, naming work that each loop does for its own connections before it reads
 * again; {@code release} returns when every loop has done it.
 *
 * <p>Threading: {@link #hold} and {@link #release} are called from a thread that is not one of the
 * loops (the signal handler's, a test's); a loop that held itself would wait forever.
 */
public final class LoopBarrier {
    private final CountDownLatch held;
    private final CountDownLatch released = new CountDownLatch(1);
    private final CountDownLatch resumed;
    private volatile Consumer<LoopOutbox> beforeReading = loop -> { };

    private LoopBarrier(List<LoopOutbox> loops) {
        this.held = new CountDownLatch(loops.size());
        this.resumed = new CountDownLatch(loops.size());
    }

    /** Holds every loop once it has finished its current batch; returns when all of them wait. */
    public static LoopBarrier hold(List<LoopOutbox> loops) {
        for (LoopOutbox loop : loops) {
            if (loop.inLoop()) {
                throw new IllegalStateException("an event loop cannot hold itself");
            }
        }
        LoopBarrier barrier = new LoopBarrier(loops);
        for (LoopOutbox loop : loops) {
            loop.loop().execute(() -> barrier.waitOn(loop));
        }
        awaitUninterruptibly(barrier.held);
        return barrier;
    }

    /**
     * Lets the loops read again, each first running {@code work} with its own outbox (on that loop);
     * returns once every loop has run it.
     */
    public void release(Consumer<LoopOutbox> work) {
        beforeReading = work;
        released.countDown();
        awaitUninterruptibly(resumed);
    }

    private void waitOn(LoopOutbox loop) {
        held.countDown();
        awaitUninterruptibly(released);
        try {
            beforeReading.accept(loop);
            loop.flushPending();
        } finally {
            resumed.countDown();
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
