package io.starling.broker.core.routing;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.internal.PlatformDependent;
import io.starling.broker.core.DropCounters;
import io.starling.broker.core.OverloadCounters;
import io.starling.broker.core.RateLimitedLog;
import io.starling.broker.core.session.Session;
import io.starling.mqtt.codec.QoS;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.LoggerFactory;

/**
 * One event loop's inbox for work from other loops, and its list of connections to flush.
 *
 * <p>Threading: {@link #submit} and {@link #deliver} may be called from any thread; everything else
 * runs on the loop. Work from other loops is queued and the loop is woken once per batch (only when
 * the queue was idle), not once per message. Writes made while handling a read or a batch mark
 * their connection, and {@link #flushPending} flushes each marked connection once at the end (for
 * reads, after all the sockets of the turn: {@link #flushAfterReads}).
 *
 * <p><b>Backpressure</b> (issue 14, DESIGN.md "Under pressure"): deliveries handed to this loop by the
 * others are counted in payload bytes (the backlog). While the backlog is over its limit, the
 * connection being read on the handing loop (its {@link Producer}) stops being read, and a QoS 0
 * delivery is dropped there and counted; QoS 1/2 deliveries are always queued, so they are slowed,
 * never lost. When this loop has taken the backlog down to half the limit, it resumes every producer
 * that waited for it. The backlog is therefore bounded by the limit plus what the paused producers
 * had read already: a read batch each.
 */
public final class LoopOutbox {
    /** The outbox of the loop the current thread runs: how a delivery knows which loop hands it over. */
    private static final FastThreadLocal<LoopOutbox> CURRENT = new FastThreadLocal<>();
    /** What a queued delivery costs besides its payload: the delivery, the task and the queue node. */
    static final int HANDOFF_OVERHEAD = 96;
    private static final RateLimitedLog BACKLOG_LOG = new RateLimitedLog(10);

    private final EventExecutor loop;
    private final long backlogLimit;
    private final DropCounters drops;
    private final OverloadCounters overload;
    /** Payload bytes (plus overhead) of the deliveries queued for this loop and not yet taken. */
    private final AtomicLong backlog = new AtomicLong();
    /** Producers on other loops paused for this loop's backlog. */
    private final Queue<Waiter> waiters = PlatformDependent.newMpscQueue();
    /** Owned by this loop: the connection whose bytes are being handled now, or null. */
    private Producer reading;
    /** Owned by this loop: its producers that are paused, and for which loops' backlogs. */
    private final Map<Producer, List<LoopOutbox>> paused = new IdentityHashMap<>();
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

    /**
     * A connection whose reading can stop while a loop it publishes to is behind. Called on the
     * connection's own loop.
     */
    public interface Producer {
        /** Stops ({@code true}) or resumes reading the connection for a backlog elsewhere. */
        void pauseForBacklog(boolean paused);
    }

    private record Waiter(LoopOutbox home, Producer producer) { }

    /** A delivery handed over from another loop, with what it adds to the backlog. */
    private record Handoff(Session session, Delivery delivery, long cost, boolean forwarded) implements Runnable {
        @Override
        public void run() {
            if (forwarded) {
                session.deliverForwarded(delivery);
            } else {
                session.deliver(delivery);
            }
        }
    }

    /** An outbox without a backlog limit, whose drops go uncounted: for tests and benchmarks. */
    public LoopOutbox(EventExecutor loop) {
        this(loop, Long.MAX_VALUE, new DropCounters(), new OverloadCounters());
    }

    /** @param backlogLimit payload bytes handed to this loop above which its producers are paused */
    public LoopOutbox(EventExecutor loop, long backlogLimit, DropCounters drops, OverloadCounters overload) {
        this.loop = loop;
        this.backlogLimit = backlogLimit;
        this.drops = drops;
        this.overload = overload;
        loop.execute(() -> CURRENT.set(this)); // before any connection of the loop is read
    }

    /**
     * Names the connection whose bytes this loop handles now (null after), so that a loop its
     * messages go to can pause it. Call on this loop.
     */
    public void reading(Producer producer) {
        reading = producer;
    }

    /** Payload bytes queued for this loop by the others and not yet taken (for tests and $SYS). */
    public long backlog() {
        return backlog.get();
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
            return;
        }
        handOver(session, delivery, false);
    }

    /**
     * Hands over a delivery that reached the session's previous loop after the session moved here: it
     * is older than what is routed here directly meanwhile (see {@link Session#moveTo}).
     */
    public void forward(Session session, Delivery delivery) {
        handOver(session, delivery, true);
    }

    private void handOver(Session session, Delivery delivery, boolean forwarded) {
        if (backlog.get() >= backlogLimit) {
            LoopOutbox home = CURRENT.get();
            if (home != null && home.pauseReadingFor(this)) {
                overload.readPausedBacklog.increment();
            }
            if (delivery.qos() == QoS.AT_MOST_ONCE) {
                drops.loopBacklog.increment();
                BACKLOG_LOG.warn(LoggerFactory.getLogger(LoopOutbox.class), "Event loop {} has {} bytes waiting: QoS 0 messages for its clients are dropped "
                        + "and publishers paused (max_loop_backlog_bytes {}).", loop, backlog.get(), backlogLimit);
                delivery.message().release();
                return;
            }
        }
        long cost = HANDOFF_OVERHEAD + delivery.message().payloadSize();
        backlog.addAndGet(cost);
        submit(new Handoff(session, delivery, cost, forwarded));
    }

    /**
     * On this (the producer's) loop: pauses the connection being read until {@code target} catches up.
     * Returns whether that connection was reading until now.
     */
    private boolean pauseReadingFor(LoopOutbox target) {
        Producer producer = reading;
        if (producer == null) {
            return false; // a will, $SYS or a restored session: nothing to slow down
        }
        List<LoopOutbox> targets = paused.get(producer);
        boolean pausedNow = targets == null;
        if (pausedNow) {
            targets = new ArrayList<>(1);
            paused.put(producer, targets);
            producer.pauseForBacklog(true);
        } else if (targets.contains(target)) {
            return false;
        }
        targets.add(target);
        target.waiters.add(new Waiter(this, producer));
        target.submit(() -> { }); // a drain after this, which resumes us even if the backlog is already gone
        return pausedNow;
    }

    /** On this (the producer's) loop: {@code target} caught up. */
    private void resumeReadingFrom(Producer producer, LoopOutbox target) {
        List<LoopOutbox> targets = paused.get(producer);
        if (targets != null && targets.remove(target) && targets.isEmpty()) {
            paused.remove(producer);
            producer.pauseForBacklog(false);
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
        long taken = 0;
        while (budget-- > 0 && (task = inbox.poll()) != null) {
            if (task instanceof Handoff h) {
                taken += h.cost;
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                LoggerFactory.getLogger(LoopOutbox.class).error("Task failed on event loop", e);
            }
        }
        flushPending();
        if (backlog.addAndGet(-taken) <= backlogLimit / 2 && !waiters.isEmpty()) {
            Waiter w;
            while ((w = waiters.poll()) != null) {
                Waiter waiter = w;
                waiter.home.submit(() -> waiter.home.resumeReadingFrom(waiter.producer, this));
            }
        }
        if (!inbox.isEmpty() && drainScheduled.compareAndSet(false, true)) {
            loop.execute(drain);
        }
    }
}
