package io.starling.broker.cluster.raft;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jgroups.EmptyMessage;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.View;
import org.jgroups.protocols.raft.RAFT;
import org.jgroups.protocols.raft.election.BaseElection;
import org.jgroups.protocols.raft.election.LeaderElected;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a Raft leader known on every member of a view that holds a majority, where jgroups-raft 1.1's
 * election can leave one unknown: its view coordinator runs the vote once per view change, so a race
 * around a change (a member joining while the {@code LeaderElected} message is on its way, the voting
 * thread stopped by a stale message during a merge; jgroups-raft issues 253, 306, 364) can leave
 * members, or the whole view, without a leader until the next view change, which may never come.
 * Two checks, once a second on the channel's timer, both idempotent:
 * <ul>
 *   <li>The leader tells the view again who leads, once per view, after it has settled: a member that
 *       missed the first message learns it ({@code LeaderElected} with the current term is ignored by
 *       members that know it, and by any member already in a newer term).</li>
 *   <li>The view coordinator that has known no leader for {@code stall} while the view holds a majority
 *       and no vote runs starts a vote again, as a view change would. Any other member without a leader
 *       for twice that starts one itself: a member left in a newer term than the leader's (it answered a
 *       vote that then stopped) ignores the leader's announcements, and the coordinator, which has a
 *       leader, has no reason to vote. A vote needs a majority's answers, each member answers one vote per
 *       term, so two voters cannot both elect a leader in one term; the leader is chosen as the
 *       coordinator would (the longest log).</li>
 * </ul>
 */
final class ElectionWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ElectionWatch.class);
    static final Duration CHECK_EVERY = Duration.ofSeconds(1);

    private final JChannel channel;
    private final RAFT raft;
    private final BaseElection election;
    private final long stallNanos;
    private final AtomicLong restarts = new AtomicLong();
    private final AtomicLong announcements = new AtomicLong();
    private final Future<?> task;

    // On the timer only (one run at a time: scheduled with a fixed delay).
    private View seen;
    private long seenAt;
    private View announced;
    private long leaderlessSince;
    private long lastTry;
    private boolean leaderless;

    /** Starts watching; the channel's stack has RAFT and an election protocol, connected or not yet. */
    ElectionWatch(JChannel channel, Duration stall) {
        this.channel = Objects.requireNonNull(channel);
        this.raft = Objects.requireNonNull(channel.getProtocolStack().findProtocol(RAFT.class), "RAFT in the stack");
        this.election = Objects.requireNonNull(channel.getProtocolStack().findProtocol(BaseElection.class),
                "an election protocol in the stack");
        this.stallNanos = stall.toNanos();
        long every = CHECK_EVERY.toMillis();
        this.task = channel.getProtocolStack().getTransport().getTimer()
                .scheduleWithFixedDelay(this::checkSafely, every, every, TimeUnit.MILLISECONDS, false);
    }

    /** Votes this member started, having stayed without a leader in a view with a majority. */
    long restarts() {
        return restarts.get();
    }

    /** Times this member, as leader, told a settled view again who leads. */
    long announcements() {
        return announcements.get();
    }

    private void checkSafely() {
        try {
            check(System.nanoTime());
        } catch (RuntimeException e) {
            LOG.warn("Raft election watch on {}: {}", channel.getAddress(), e.toString(), e);
        }
    }

    void check(long now) {
        View view = channel.getView();
        if (view == null || !channel.isConnected()) {
            leaderless = false;
            return;
        }
        if (!view.equals(seen)) {
            seen = view;
            seenAt = now;
        }
        boolean majority = view.size() >= raft.majority();
        long term = raft.currentTerm();
        if (raft.leader() != null) {
            leaderless = false;
            // The term read before and after: this member led in that term, not in a newer one a vote began.
            if (raft.isLeader() && raft.currentTerm() == term && majority && !view.equals(announced)
                    && now - seenAt >= CHECK_EVERY.toNanos()) {
                announced = view;
                announce(term);
            }
            return;
        }
        if (!leaderless) {
            leaderless = true;
            leaderlessSince = now;
            lastTry = now;
            return;
        }
        if (!majority || now - lastTry < stallNanos || election.isVotingThreadRunning()) {
            return;
        }
        lastTry = now; // one more try per stall at most
        long without = TimeUnit.NANOSECONDS.toMillis(now - leaderlessSince);
        boolean coordinator = Objects.equals(view.getCoord(), channel.getAddress());
        if (!coordinator && now - leaderlessSince < 2 * stallNanos) {
            LOG.warn("Raft: {} has known no leader for {} ms in view {} (Raft members {}, term {}); waiting for the "
                    + "coordinator's vote.", channel.getAddress(), without, view, raft.members(), raft.currentTerm());
            return;
        }
        restarts.incrementAndGet();
        LOG.warn("Raft: {} has known no leader for {} ms in view {} (Raft members {}, term {}) and runs no vote; {}",
                channel.getAddress(), without, view, raft.members(), raft.currentTerm(), coordinator
                        ? "as the coordinator it starts one again."
                        : "no vote reached it from the coordinator, so it starts one itself.");
        election.startVotingThread();
    }

    /** What the election protocol sends when its vote ends: to every other member, reliably, in order. */
    private void announce(long term) {
        announcements.incrementAndGet();
        Message message = new EmptyMessage(null).putHeader(election.getId(), new LeaderElected(channel.getAddress()).currTerm(term))
                .setFlag(Message.TransientFlag.DONT_LOOPBACK);
        election.getDownProtocol().down(message);
    }

    @Override
    public void close() {
        task.cancel(false);
    }
}
