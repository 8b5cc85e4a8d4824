package io.starling.broker.store.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Group commit over a fake WAL: when it syncs, how often, and in which order tasks run. */
class GroupCommitTest {
    private final AtomicLong writes = new AtomicLong();
    private final AtomicInteger syncs = new AtomicInteger();
    private volatile CountDownLatch syncGate = new CountDownLatch(0);
    private final AtomicBoolean failSync = new AtomicBoolean();
    private final GroupCommit commit = GroupCommit.start(writes::get, () -> {
        syncGate.await();
        if (failSync.get()) {
            throw new IOException("disk on fire");
        }
        syncs.incrementAndGet();
    });

    @AfterEach
    void close() {
        syncGate.countDown();
        commit.close();
    }

    private void await(Runnable... registrations) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        for (Runnable r : registrations) {
            r.run();
        }
        commit.afterDurable(Runnable::run, done::countDown);
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void task_runsAfterASyncOfTheWritesBeforeIt() throws InterruptedException {
        writes.incrementAndGet();
        AtomicInteger syncsSeen = new AtomicInteger(-1);

        await(() -> commit.afterDurable(Runnable::run, () -> syncsSeen.set(syncs.get())));

        assertThat(syncsSeen.get()).isOne();
        assertThat(commit.syncCount()).isOne();
        assertThat(commit.lastSyncNanos()).isPositive();
        assertThat(commit.totalSyncNanos()).isGreaterThanOrEqualTo(commit.lastSyncNanos());
    }

    @Test
    void task_withNothingWritten_runsWithoutASync() throws InterruptedException {
        await();

        assertThat(syncs.get()).isZero();
    }

    @Test
    void tasksWaitingDuringASync_shareTheNextOne_andRunInRegistrationOrder() throws InterruptedException {
        syncGate = new CountDownLatch(1);
        writes.incrementAndGet();
        List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
        commit.afterDurable(Runnable::run, () -> ran.add(-1));
        Thread.sleep(50); // the sync thread is now stuck in the first sync

        List<Runnable> more = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            int n = i;
            more.add(() -> {
                writes.incrementAndGet();
                commit.afterDurable(Runnable::run, () -> ran.add(n));
            });
        }
        more.add(syncGate::countDown);
        await(more.toArray(Runnable[]::new));

        assertThat(syncs.get()).isEqualTo(2);
        assertThat(ran).hasSize(101).isSorted();
    }

    @Test
    void failedSync_dropsTheTasksWaitingOnIt_andTheNextSyncRetries() throws InterruptedException {
        failSync.set(true);
        writes.incrementAndGet();
        AtomicBoolean ranAfterFailure = new AtomicBoolean();
        commit.afterDurable(Runnable::run, () -> ranAfterFailure.set(true));
        Thread.sleep(100);
        failSync.set(false);

        await();

        assertThat(ranAfterFailure).isFalse();
        assertThat(syncs.get()).isOne();
    }

    @Test
    void close_syncsWhatWasWritten_andLaterTasksAreDropped() {
        writes.incrementAndGet();

        commit.close();

        assertThat(syncs.get()).isOne();
        AtomicBoolean ran = new AtomicBoolean();
        commit.afterDurable(Runnable::run, () -> ran.set(true));
        assertThat(ran).isFalse();
    }

    @Test
    void rejectingExecutor_doesNotStopTheOthers() throws InterruptedException {
        writes.incrementAndGet();
        commit.afterDurable(task -> {
            throw new RejectedExecutionException("loop shut down");
        }, () -> { });

        await();
    }
}
