package io.starling.broker.core.routing;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.PlatformDependent;
import io.starling.broker.core.session.Session;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One event loop's inbox for work from other loops, and its list of connections to flush.
 *
 * <p>Threading: {@link #submit} and {@link #deliver} may be called from any thread; everything else
 * runs on the loop. Work from other loops is queued and the loop is woken once per batch (only when
 * the queue was idle), not once per message. Writes made while handling a read or a batch mark
 * their connection, and {@link #flushPending} flushes each marked connection once at the end (for
 * reads, after all the sockets of the turn: {@link #flushAfterReads}).
 */
public final class LoopOutbox {
    private final EventExecutor loop;
    private final Queue<Runnable> inbox = PlatformDependent.newMpscQueue();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drain = this::drain;
    private final List<Flushable> toFlush = new ArrayList<>();
    private boolean flushScheduled;
    private final Runnable flushTask = () -> {
        flushScheduled = false;
        flushPending();
    };

    /** Something with buffered writes: a client connection. */
    public interface Flushable {
        /** Flushes the buffered writes; called once per {@link LoopOutbox#markForFlush}. */
        void flushNow();
    }

    public LoopOutbox(EventExecutor loop) {
        this.loop = loop;
    }

    public EventExecutor loop() {
        return loop;
    }

    public boolean inLoop() {
        return loop.inEventLoop();
    }

    /** Runs {@code task} on this loop: now when already on it, else in the next batch. */
    public void execute(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
        } else {
            submit(task);
        }
    }

    /** Queues {@code task} for this loop's next batch, waking the loop if the batch is not yet scheduled. */
    public void submit(Runnable task) {
        inbox.add(task);
        if (drainScheduled.compareAndSet(false, true)) {
            loop.execute(drain);
        }
    }

    /** Delivers to a session owned by this loop, forwarding if it moved (see {@link Session#owner}). */
    public void deliver(Session session, Delivery delivery) {
        if (loop.inEventLoop()) {
            session.deliver(delivery);
        } else {
            submit(() -> session.deliver(delivery));
        }
    }

    /** Flushes {@code connection} at the end of the batch; callers mark a connection once per batch. */
    public void markForFlush(Flushable connection) {
        toFlush.add(connection);
    }

    /**
     * Flushes the marked connections once this loop has handled the rest of the sockets that were
     * ready together: messages read from several publishers in one turn then leave for a subscriber
     * in one write, not one write per publisher (on loopback, the sender pays the receiver's side of
     * each write too). Called at the end of a read.
     */
    public void flushAfterReads() {
        if (!toFlush.isEmpty() && !flushScheduled) {
            flushScheduled = true;
            loop.execute(flushTask); // on this loop: queued behind this turn's I/O, no wake-up
        }
    }

    /** Flushes every connection written to since the last call; called at the end of a batch. */
    public void flushPending() {
        // Index loop: a flush may trigger writes that mark more connections.
        for (int i = 0; i < toFlush.size(); i++) {
            toFlush.get(i).flushNow();
        }
        toFlush.clear();
    }

    private void drain() {
        drainScheduled.set(false);
        Runnable task;
        int budget = 4096; // leave room for I/O: the rest runs in a following batch
        while (budget-- > 0 && (task = inbox.poll()) != null) {
            try {
                task.run();
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(LoopOutbox.class).error("Task failed on event loop", e);
            }
        }
        flushPending();
        if (!inbox.isEmpty() && drainScheduled.compareAndSet(false, true)) {
            loop.execute(drain);
        }
    }
}
