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
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Group commit over a fake WAL: when it syncs, how often, what tasks learn, and how it recovers. */
class GroupCommitTest {
    private final AtomicInteger syncs = new AtomicInteger();
    private final AtomicInteger recoveries = new AtomicInteger();
    private volatile CountDownLatch syncGate = new CountDownLatch(0);
    private final AtomicBoolean diskFull = new AtomicBoolean();
    private final GroupCommit commit = GroupCommit.start(new GroupCommit.Log() {
        @Override
        public void sync() throws Exception {
            syncGate.await();
            if (diskFull.get()) {
                throw new IOException("No space left on device");
            }
            syncs.incrementAndGet();
        }

        @Override
        public void recover() throws IOException {
            if (diskFull.get()) {
                throw new IOException("No space left on device");
            }
            recoveries.incrementAndGet();
        }
    });

    @AfterEach
    void close() {
        syncGate.countDown();
        commit.close();
    }

    private void write() {
        commit.beforeWrite();
        commit.written();
    }

    /** Registers a task on this thread and waits for what it learns. */
    private boolean awaitTask() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        AtomicBoolean durable = new AtomicBoolean();
        commit.afterDurable(Runnable::run, d -> {
            durable.set(d);
            done.countDown();
        });
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        return durable.get();
    }

    @Test
    void task_runsAfterASyncOfTheWritesBeforeIt() throws InterruptedException {
        write();
        AtomicInteger syncsSeen = new AtomicInteger(-1);
        CountDownLatch done = new CountDownLatch(1);

        commit.afterDurable(Runnable::run, durable -> {
            syncsSeen.set(syncs.get());
            done.countDown();
        });

        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(syncsSeen.get()).isOne();
        assertThat(commit.syncCount()).isOne();
        assertThat(commit.lastSyncNanos()).isPositive();
        assertThat(commit.totalSyncNanos()).isGreaterThanOrEqualTo(commit.lastSyncNanos());
    }

    @Test
    void task_withNothingWritten_runsWithoutASync() throws InterruptedException {
        assertThat(awaitTask()).isTrue();

        assertThat(syncs.get()).isZero();
    }

    @Test
    void write_withNoTaskWaiting_isSyncedWithinMilliseconds() throws InterruptedException {
        write();

        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        while (syncs.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(syncs.get()).as("syncs of a write nobody waits for").isOne();
    }

    @Test
    void tasksWaitingDuringASync_shareTheNextOne_andRunInRegistrationOrder() throws InterruptedException {
        syncGate = new CountDownLatch(1);
        write();
        List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
        commit.afterDurable(Runnable::run, durable -> ran.add(-1));
        Thread.sleep(50); // the sync thread is now stuck in the first sync

        for (int i = 0; i < 100; i++) {
            int n = i;
            write();
            commit.afterDurable(Runnable::run, durable -> ran.add(n));
        }
        write();
        syncGate.countDown();
        assertThat(awaitTask()).isTrue();

        assertThat(syncs.get()).isEqualTo(2);
        assertThat(ran).hasSize(101).isSorted();
    }

    @Test
    void failedSync_refusesTheTasksThatWrote_butNotTheOthers() throws InterruptedException {
        diskFull.set(true);
        write();
        assertThat(awaitTask()).as("a task after a write the disk did not take").isFalse();

        assertThat(awaitTask()).as("a task that wrote nothing").isTrue();
        assertThat(commit.health().ok()).isFalse();
        assertThat(commit.health().problem()).contains("No space left on device");
        write();
        assertThat(awaitTask()).as("a task after a write while failed").isFalse();
    }

    @Test
    void failedStore_recoversByItselfWhenTheDiskDoes_andLaterWritesAreDurable() throws InterruptedException {
        diskFull.set(true);
        write();
        assertThat(awaitTask()).isFalse();

        diskFull.set(false);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!commit.health().ok() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }

        assertThat(commit.health().ok()).isTrue();
        assertThat(commit.health().failures()).isOne();
        assertThat(commit.health().recoveries()).isOne();
        write();
        assertThat(awaitTask()).isTrue();
    }

    @Test
    void writeBeforeARecovery_isNeverReportedDurable() throws InterruptedException {
        commit.beforeWrite(); // this thread writes; its WAL buffer is then lost with the failure
        commit.written();
        diskFull.set(true);
        commit.failed("write", new IOException("No space left on device"));
        diskFull.set(false);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!commit.health().ok() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(commit.health().ok()).isTrue();

        assertThat(awaitTask()).isFalse();
    }

    @Test
    void close_syncsWhatWasWritten_andLaterTasksAreDropped() {
        write();

        commit.close();

        assertThat(syncs.get()).isOne();
        AtomicReference<Boolean> ran = new AtomicReference<>();
        commit.afterDurable(Runnable::run, ran::set);
        assertThat(ran.get()).isNull();
    }

    @Test
    void rejectingExecutor_doesNotStopTheOthers() throws InterruptedException {
        write();
        commit.afterDurable(task -> {
            throw new RejectedExecutionException("loop shut down");
        }, durable -> { });

        assertThat(awaitTask()).isTrue();
    }
}
