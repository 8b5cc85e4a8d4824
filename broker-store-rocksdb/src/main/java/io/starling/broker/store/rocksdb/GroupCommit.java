package io.starling.broker.store.rocksdb;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks (the broker's PUBACKs and PUBRECs) once the writes made before them are durable, with
 * one WAL fsync for every task that is waiting, however many there are.
 *
 * <p>How: {@link #afterDurable} only enqueues. One daemon thread, {@value #THREAD_NAME}, takes all
 * waiting tasks at once; if anything was written since its last sync it syncs (one fsync for the
 * group), then hands each task to its executor in registration order. The write count is read
 * before the sync: a write that returned before a task was registered is counted by then (the
 * counter moves only after a write returns), so the sync covers it. While a sync runs, new tasks
 * gather for the next one: the busier the broker, the bigger the groups.
 *
 * <p>A failed sync means the writes may not be on disk: the tasks waiting on it are never run (their
 * clients get no acknowledgement and will resend), and the failure is logged.
 *
 * <p>Threading: {@link #afterDurable} is called from any thread; the counters are written by the
 * sync thread only and read from any.
 */
public final class GroupCommit implements AutoCloseable {
    static final String THREAD_NAME = "starling-store-sync";
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);

    /** Makes every write so far durable. */
    @FunctionalInterface
    public interface WalSync {
        void sync() throws Exception;
    }

    private record Pending(Executor executor, Runnable task) {
    }

    private final LongSupplier writes;
    private final WalSync wal;
    private final Thread thread;
    private final Object lock = new Object();
    private List<Pending> waiting = new ArrayList<>(); // guarded by lock
    private boolean closing; // guarded by lock
    private long syncedWrites; // sync thread only; 0, so that writes made before start() are synced too
    private volatile long syncCount;
    private volatile long totalSyncNanos;
    private volatile long lastSyncNanos;

    private GroupCommit(LongSupplier writes, WalSync wal) {
        this.writes = writes;
        this.wal = wal;
        this.thread = new Thread(this::run, THREAD_NAME);
        this.thread.setDaemon(true);
    }

    /**
     * @param writes how many writes have returned so far
     * @param wal    the fsync that makes them durable
     */
    public static GroupCommit start(LongSupplier writes, WalSync wal) {
        GroupCommit commit = new GroupCommit(writes, wal);
        commit.thread.start();
        return commit;
    }

    /**
     * Runs {@code task} on {@code executor} once every write that returned before this call is
     * durable. Tasks run in the order they were registered. After {@link #close} tasks are dropped:
     * nothing becomes durable any more.
     */
    public void afterDurable(Executor executor, Runnable task) {
        synchronized (lock) {
            if (closing) {
                LOG.debug("Store closed: dropping a task waiting for durability");
                return;
            }
            waiting.add(new Pending(executor, task));
            if (waiting.size() == 1) {
                lock.notifyAll();
            }
        }
    }

    /** How many WAL fsyncs ran. */
    public long syncCount() {
        return syncCount;
    }

    /** Time spent in WAL fsyncs, in nanoseconds, in all. */
    public long totalSyncNanos() {
        return totalSyncNanos;
    }

    /** How long the latest WAL fsync took, in nanoseconds. */
    public long lastSyncNanos() {
        return lastSyncNanos;
    }

    /** Syncs and dispatches what is waiting, then stops the thread. */
    @Override
    public void close() {
        synchronized (lock) {
            closing = true;
            lock.notifyAll();
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        while (true) {
            List<Pending> group;
            boolean last;
            synchronized (lock) {
                while (waiting.isEmpty() && !closing) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        // Only close() ends this thread, so that no task is left behind.
                    }
                }
                group = waiting;
                waiting = new ArrayList<>();
                last = closing;
            }
            if (syncIfWritten()) {
                group.forEach(GroupCommit::dispatch);
            } else {
                LOG.error("{} tasks waiting for durability were dropped: their writes may not be on disk",
                        group.size());
            }
            if (last) {
                return;
            }
        }
    }

    /** Syncs when anything was written since the last sync; false when the sync failed. */
    private boolean syncIfWritten() {
        long target = writes.getAsLong();
        if (target == syncedWrites) {
            return true;
        }
        long start = System.nanoTime();
        try {
            wal.sync();
        } catch (Exception e) {
            LOG.error("Session store: WAL sync failed", e);
            return false;
        }
        long took = System.nanoTime() - start;
        syncedWrites = target;
        lastSyncNanos = took;
        totalSyncNanos += took;
        syncCount++;
        return true;
    }

    private static void dispatch(Pending p) {
        try {
            p.executor().execute(p.task());
        } catch (RejectedExecutionException e) {
            // The executor (an event loop) is shutting down, and its connection with it.
            LOG.debug("Task after durability rejected by its executor", e);
        }
    }

    @Override
    public String toString() {
        return "GroupCommit[syncs=" + syncCount + ", avg=" + (syncCount == 0 ? 0
                : TimeUnit.NANOSECONDS.toMicros(totalSyncNanos / syncCount)) + "µs]";
    }
}
