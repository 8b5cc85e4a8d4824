package io.starling.broker.store.rocksdb;

import io.starling.broker.core.store.SessionStore;
import io.starling.broker.core.store.StoreHealth;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the store's durability is decided: when writes reach the disk, what a task waiting for them
 * learns, and what happens when the disk fails.
 *
 * <p><b>Syncing.</b> Every write goes to RocksDB unsynced ({@link Database}) and tells this class
 * ({@link #written}). One daemon thread, {@value #THREAD_NAME}, syncs the WAL whenever anything was
 * written since its last sync: it is woken by the write itself, so no write stays unsynced longer than
 * the sync in progress plus its own (a few milliseconds), whether or not anyone waits for it (issue 14:
 * the thread used to sync only for waiting acknowledgements, so PUBCOMP and SUBACK reported states that
 * a crash then undid). While a sync runs, new writes and tasks gather for the next one: the busier the
 * broker, the bigger the groups.
 *
 * <p><b>Tasks.</b> {@link #afterDurable} queues a task, run on its executor, in registration order, once
 * the writes it reports on are settled: {@code durable} true when they are on disk, false when they may
 * not be. A task reports on the writes its own thread made since that thread's previous task (the core
 * makes a state change and registers its reply on one event loop); a thread that wrote nothing gets
 * {@code true} without waiting for a sync, and so traffic that touches no stored session is unaffected
 * by a failed disk. {@link #beginChanges} (the core calls it for each packet) starts a thread's changes
 * afresh, so that writes no reply reports on (a subscriber's PUBACK deletes its delivery) do not count
 * against the next one.
 *
 * <p><b>Failure and recovery.</b> A failed write or sync (a full disk) fails the store: it is logged
 * once, every task whose thread wrote gets {@code false} until the store is healthy again, and each
 * failure or recovery starts a new epoch, so that a write made in an earlier epoch can never be
 * reported durable (it may have been lost with the WAL buffer). RocksDB keeps a failed WAL writer
 * failed and RocksJava has no {@code Resume}, so the thread recovers by reopening the database
 * ({@link Log#recover}, which also proves the disk takes a synced write) every
 * {@value #RETRY_MILLIS} ms until that works, and logs the recovery.
 *
 * <p><b>Writes run here too</b> (issue 15). An event loop never waits for RocksDB: a RocksDB write
 * can stall its caller for tens of milliseconds (measured: 53 ms for one put while a sync ran), and a
 * loop stalled so falls behind the others, so that a PUBLISH read earlier on it takes effect after a
 * SUBSCRIBE read later on another. The store hands its writes (and the read-then-write operations
 * that must see them) to this thread with {@link #submit}; the thread applies them in the order they
 * were submitted, then syncs them together. A task registered after a thread's writes is dispatched
 * only after those writes were applied and synced: the thread takes the waiting tasks first, then
 * applies every write submitted so far, then syncs.
 *
 * <p>Threading: {@link #afterDurable}, {@link #submit} and the write hooks are called from any thread;
 * the sync thread alone writes, syncs, recovers and dispatches.
 */
public final class GroupCommit implements AutoCloseable {
    static final String THREAD_NAME = "starling-store-sync";
    static final long RETRY_MILLIS = 1000;
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);
    private static final long NO_WRITE = -1;

    /** The write-ahead log being made durable. */
    public interface Log {
        /** Makes every write so far durable. */
        void sync() throws Exception;

        /** Brings a failed log back (reopening the database) and proves it takes a synced write. */
        void recover() throws Exception;
    }

    private record Pending(Executor executor, SessionStore.Commit task, long firstWriteEpoch) {
    }

    private final Log log;
    private final Thread thread;
    private final Object lock = new Object();
    private final AtomicLong writes = new AtomicLong();
    /** Advanced at every failure and every recovery; a write is durable only in the epoch it was made in. */
    private final AtomicLong epoch = new AtomicLong();
    /** The epoch of this thread's first write since its last task, or {@link #NO_WRITE}. */
    private final ThreadLocal<long[]> threadWrites = ThreadLocal.withInitial(() -> new long[] {NO_WRITE});
    private List<Pending> waiting = new ArrayList<>(); // guarded by lock
    /** Writes (and operations that read what earlier writes left) for this thread to apply, in order. */
    private final ConcurrentLinkedQueue<Runnable> submitted = new ConcurrentLinkedQueue<>();
    private boolean closing; // guarded by lock
    private volatile boolean idle;
    private volatile String failure; // null while healthy
    private long syncedWrites; // sync thread only
    private volatile long nextRecovery;
    private volatile long failures;
    private volatile long recoveries;
    private volatile long syncCount;
    private volatile long totalSyncNanos;
    private volatile long lastSyncNanos;

    private GroupCommit(Log log) {
        this.log = log;
        this.thread = new Thread(this::run, THREAD_NAME);
        this.thread.setDaemon(true);
    }

    /** Starts the sync thread for {@code log}. */
    public static GroupCommit start(Log log) {
        GroupCommit commit = new GroupCommit(log);
        commit.thread.start();
        return commit;
    }

    // ---- hooks for every write (Database) ----

    /** A write is about to be made on this thread. */
    void beforeWrite() {
        long[] first = threadWrites.get();
        if (first[0] == NO_WRITE) {
            first[0] = epoch.get();
        }
    }

    /** A write returned: the sync thread syncs it soon. */
    void written() {
        writes.incrementAndGet();
        wake();
    }

    /** A write (or a read a change depends on) failed: the store is failed until it recovers. */
    void failed(String what, Exception cause) {
        fail(what, cause);
    }

    /**
     * Has {@code operation} (a write, or a read and the writes that depend on it) run on the sync
     * thread, after every operation submitted before it and before the sync that the caller's next
     * {@link #afterDurable} waits for. Call {@link #beforeWrite} first when it writes. After
     * {@link #close} it is dropped: nothing becomes durable any more.
     */
    void submit(Runnable operation) {
        submitted.add(operation);
        wake();
    }

    /** Whether the caller is the sync thread, where operations run at once. */
    boolean onSyncThread() {
        return Thread.currentThread() == thread;
    }

    /**
     * Waits until every operation submitted so far has been applied: for reads outside the sync
     * thread (start-up, tests), which must see the writes made before them. Never called on a loop.
     */
    void awaitApplied() {
        if (onSyncThread() || !thread.isAlive()) {
            return;
        }
        CountDownLatch applied = new CountDownLatch(1);
        submit(applied::countDown);
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                if (applied.await(100, TimeUnit.MILLISECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Applies every operation submitted so far (sync thread only). */
    private void applySubmitted() {
        Runnable operation;
        while ((operation = submitted.poll()) != null) {
            try {
                operation.run();
            } catch (RuntimeException e) {
                fail("apply a change", e);
            }
        }
    }

    // ---- tasks ----

    /** Whether this thread wrote since its last task or {@link #beginChanges}. */
    public boolean hasUnreportedChanges() {
        return threadWrites.get()[0] != NO_WRITE;
    }

    /** Forgets this thread's writes so far: the next task reports only on the writes made after this. */
    public void beginChanges() {
        threadWrites.get()[0] = NO_WRITE;
    }

    /**
     * Runs {@code task} on {@code executor} once the writes this thread made since its previous task are
     * on disk ({@code true}) or may not be ({@code false}). Tasks run in the order they were registered.
     * After {@link #close} tasks are dropped: nothing becomes durable any more.
     */
    public void afterDurable(Executor executor, SessionStore.Commit task) {
        long[] first = threadWrites.get();
        long firstWrite = first[0];
        first[0] = NO_WRITE;
        synchronized (lock) {
            if (closing) {
                LOG.debug("Store closed: dropping a task waiting for durability");
                return;
            }
            waiting.add(new Pending(executor, task, firstWrite));
        }
        wake();
    }

    /** Whether the store takes writes now, and how often it failed and recovered. */
    public StoreHealth health() {
        String why = failure;
        return new StoreHealth(why == null, why, failures, recoveries);
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
        }
        LockSupport.unpark(thread);
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

    private void wake() {
        if (idle) {
            LockSupport.unpark(thread);
        }
    }

    private void run() {
        while (true) {
            awaitWork();
            List<Pending> group;
            boolean last;
            synchronized (lock) {
                group = waiting;
                waiting = new ArrayList<>();
                last = closing;
            }
            applySubmitted(); // after taking the tasks: every write they report on is among these
            if (failure != null) {
                tryRecover();
            }
            boolean synced = failure == null && syncIfWritten();
            long now = epoch.get();
            for (Pending p : group) {
                dispatch(p, p.firstWriteEpoch() == NO_WRITE || synced && p.firstWriteEpoch() == now);
            }
            if (last) {
                return;
            }
        }
    }

    /** Parks until there is something to sync, a task, a recovery due, or close. */
    private void awaitWork() {
        idle = true; // set before looking, so that a write after the look unparks us
        while (!hasWork()) {
            long wait = failure == null ? TimeUnit.SECONDS.toNanos(1)
                    : TimeUnit.MILLISECONDS.toNanos(Math.max(1, nextRecovery - System.currentTimeMillis()));
            LockSupport.parkNanos(this, wait);
        }
        idle = false;
    }

    private boolean hasWork() {
        synchronized (lock) {
            if (!waiting.isEmpty() || closing) {
                return true;
            }
        }
        if (!submitted.isEmpty()) {
            return true;
        }
        if (failure != null) {
            return System.currentTimeMillis() >= nextRecovery;
        }
        return writes.get() != syncedWrites;
    }

    /** Syncs when anything was written since the last sync; false when the sync failed. */
    private boolean syncIfWritten() {
        long target = writes.get();
        if (target == syncedWrites) {
            return true;
        }
        long start = System.nanoTime();
        try {
            log.sync();
        } catch (Exception e) {
            fail("sync its write-ahead log", e);
            return false;
        }
        long took = System.nanoTime() - start;
        syncedWrites = target;
        lastSyncNanos = took;
        totalSyncNanos += took;
        syncCount++;
        return true;
    }

    private void fail(String what, Exception cause) {
        synchronized (epoch) {
            if (failure != null) {
                return;
            }
            failure = "failed to " + what + ": " + cause.getMessage();
            epoch.incrementAndGet();
            failures++;
            nextRecovery = System.currentTimeMillis() + RETRY_MILLIS;
        }
        LOG.error("Session store failed to {} ({}). Acknowledgements that need the disk are refused until it"
                + " recovers; retrying every {} ms.", what, cause.getMessage(), RETRY_MILLIS);
        wake();
    }

    private void tryRecover() {
        if (System.currentTimeMillis() < nextRecovery) {
            return;
        }
        long failedWrites = writes.get(); // written into the failed log: on disk with the reopen, or lost
        try {
            log.recover();
        } catch (Exception e) {
            nextRecovery = System.currentTimeMillis() + RETRY_MILLIS;
            LOG.debug("Session store still failed", e);
            return;
        }
        synchronized (epoch) {
            // Whatever was written before is on disk now or lost; only later writes count.
            epoch.incrementAndGet();
            syncedWrites = failedWrites; // a write into the reopened log since then is synced next round
            failure = null;
            recoveries++;
        }
        LOG.warn("Session store recovered: acknowledgements resume.");
    }

    private static void dispatch(Pending p, boolean durable) {
        try {
            p.executor().execute(() -> p.task().done(durable));
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
