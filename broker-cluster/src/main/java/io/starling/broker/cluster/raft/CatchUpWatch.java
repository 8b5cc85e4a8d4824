package io.starling.broker.cluster.raft;

import io.starling.broker.core.RateLimitedLog;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jgroups.Address;
import org.jgroups.JChannel;
import org.jgroups.protocols.raft.RAFT;
import org.jgroups.raft.util.CommitTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a lagging follower up to date while the leader is busy. jgroups-raft 1.1's leader sends a follower
 * the entries it lacks (after a partition, a pause, a rejoin) only from its resend branch, which runs when
 * no request has reached the leader for {@code resend_interval} (1 s); new entries alone cannot help, their
 * predecessor is missing. With requests at least once a second (CONNECT claims of a fleet, retained sets,
 * client-lease pings) a rejoined follower stayed behind for good: its registry and retained messages stale,
 * its own writes never applied there (measured: commit 16 against the leader's 219 a minute after a heal).
 *
 * <p>Once a second on the channel's timer, the leader sends each follower that has not yet got what was
 * committed a second before all the entries it lacks, in one message ({@link RAFT#flushCommitTable(Address)},
 * the resend branch for that member, with its one-entry-at-a-time mode off; a follower takes entries it has
 * as a no-op).
 */
final class CatchUpWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CatchUpWatch.class);
    static final long CHECK_EVERY_MS = 1000;

    private final JChannel channel;
    private final RAFT raft;
    private final AtomicLong resends = new AtomicLong();
    private final RateLimitedLog lagLog = new RateLimitedLog(10);
    private final Future<?> task;
    /** The leader's commit index at the previous check; -1 when this member did not lead then. On the timer only. */
    private long committedBefore = -1;
    /** The followers that lagged at the previous check (a new member lags for one check until it answers). On the timer only. */
    private Set<Address> lagging = Set.of();

    CatchUpWatch(JChannel channel) {
        this.channel = Objects.requireNonNull(channel);
        this.raft = Objects.requireNonNull(channel.getProtocolStack().findProtocol(RAFT.class), "RAFT in the stack");
        this.task = channel.getProtocolStack().getTransport().getTimer()
                .scheduleWithFixedDelay(this::checkSafely, CHECK_EVERY_MS, CHECK_EVERY_MS, TimeUnit.MILLISECONDS, false);
    }

    /** Catch-up resends this member sent as leader to lagging followers. */
    long resends() {
        return resends.get();
    }

    private void checkSafely() {
        try {
            check();
        } catch (RuntimeException e) { // the leader changed meanwhile, or the channel is closing
            LOG.debug("Raft catch-up watch on {}: {}", channel.getAddress(), e.toString());
        }
    }

    void check() {
        CommitTable table = raft.commitTable();
        if (!raft.isLeader() || table == null) {
            committedBefore = -1;
            lagging = Set.of();
            return;
        }
        long committed = raft.commitIndex();
        Set<Address> lagged = new HashSet<>();
        if (committedBefore > 0) {
            for (Address member : table.keys()) {
                CommitTable.Entry e = table.get(member);
                // A follower that needs a snapshot is left to jgroups-raft: sending one takes a snapshot, which
                // must not run beside the state machine's own thread.
                if (e != null && e.matchIndex() < committedBefore && e.nextIndex() >= raft.log().firstAppended()) {
                    lagged.add(member);
                    resends.incrementAndGet();
                    if (lagging.contains(member)) {
                        lagLog.warn(LOG, "Raft: follower {} lags (has up to entry {}, the leader {} committed {}): sending "
                                + "it what it lacks.", member, e.matchIndex(), channel.getAddress(), committed);
                    }
                    // All it lacks in one message: each new entry it cannot take yet (its predecessor is missing)
                    // sets the leader back to one entry per resend, slower than a busy leader's writes.
                    e.sendSingleMessage(false);
                    raft.flushCommitTable(member);
                }
            }
        }
        committedBefore = committed;
        lagging = lagged;
    }

    @Override
    public void close() {
        task.cancel(false);
    }
}
