package io.starling.broker.cluster.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.testkit.Await;
import io.starling.broker.cluster.RaftMembers;
import io.starling.broker.cluster.RaftMembers.Member;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.View;
import org.jgroups.protocols.raft.RAFT;
import org.jgroups.protocols.raft.election.BaseElection;
import org.jgroups.protocols.raft.election.LeaderElected;
import org.jgroups.stack.Protocol;
import org.jgroups.stack.ProtocolStack;
import org.jgroups.util.MessageBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * jgroups-raft runs a vote only on a view change, so a member that missed the result, or a view left
 * without a leader by a race, stays so until the next view change: {@link ElectionWatch} repairs both
 * without one. The races themselves are jgroups-raft's; these tests put the members in the state the
 * races leave behind (a lost {@code LeaderElected}, a leader forgotten everywhere) and wait for a leader
 * on every member within a few stalls, with the view unchanged.
 */
class ElectionWatchTest {
    private static final Duration REPAIRED_WITHIN = RaftGroup.ELECTION_STALL.multipliedBy(4);
    private RaftMembers members;

    @AfterEach
    void close() {
        if (members != null) {
            members.close();
        }
    }

    @Test
    void aMemberThatLostTheLeaderElectedMessage_learnsTheLeaderFromTheLeader() throws Exception {
        members = new RaftMembers(List.of("a", "b", "c"), Duration.ofSeconds(3));
        members.start("a");
        members.start("b");
        Member leader = members.awaitLeader();
        AtomicInteger dropped = new AtomicInteger();

        Member c = members.start("c", channel -> dropLeaderElected(channel, dropped, 1));
        Await.until(RaftMembers.WAIT, "a view of three on c",
                () -> c.channel().getView() != null && c.channel().getView().size() == 3);
        View view = c.channel().getView();

        Await.until(REPAIRED_WITHIN, "a leader known to c", () -> c.group().hasLeader());
        assertThat(dropped).as("the first LeaderElected reached c's stack and was lost there").hasValue(1);
        assertThat(c.group().handle().leader()).isEqualTo(leader.channel().getAddress());
        assertThat(c.channel().getView().getViewId()).isEqualTo(view.getViewId());
        assertThat(leader.group().leaderAnnouncements()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aViewWhoseLeaderIsForgottenEverywhere_votesAgain_withoutAViewChange() throws Exception {
        members = new RaftMembers(List.of("a", "b", "c"), Duration.ofSeconds(3));
        List<Member> all = List.of(members.start("a"), members.start("b"), members.start("c"));
        members.awaitLeader();
        Await.until(RaftMembers.WAIT, "a view of three on every member",
                () -> all.stream().allMatch(m -> m.channel().getView().size() == 3));
        View view = all.get(0).channel().getView();
        long termBefore = raft(all.get(0).channel()).currentTerm();

        for (Member m : all) {
            raft(m.channel()).setLeaderAndTerm(null);
        }
        assertThat(all).noneMatch(m -> m.group().hasLeader());

        Await.until(REPAIRED_WITHIN, "a leader known to every member",
                () -> all.stream().allMatch(m -> m.group().hasLeader()));
        assertThat(all).allMatch(m -> m.channel().getView().equals(view));
        assertThat(all.stream().mapToLong(m -> m.group().electionRestarts()).sum()).isEqualTo(1);
        assertThat(raft(all.get(0).channel()).currentTerm()).isGreaterThan(termBefore);
        members.awaitLeader(); // one leader, the same on all
    }

    @Test
    void aFollowerLeftInANewerTermWithoutALeader_startsAVoteItself_andAllAgreeOnALeader() throws Exception {
        members = new RaftMembers(List.of("a", "b", "c"), Duration.ofSeconds(3));
        List<Member> all = List.of(members.start("a"), members.start("b"), members.start("c"));
        Member leader = members.awaitLeader();
        Await.until(RaftMembers.WAIT, "a view of three on every member",
                () -> all.stream().allMatch(m -> m.channel().getView().size() == 3));
        View view = all.get(0).channel().getView();
        Member follower = all.stream().filter(m -> m != leader && !m.channel().getAddress().equals(view.getCoord()))
                .findFirst().orElseThrow();
        long term = raft(leader.channel()).currentTerm();

        // As a member that answered a vote request the coordinator then abandoned: a newer term, no leader.
        raft(follower.channel()).setLeaderAndTerm(null, term + 5);
        assertThat(follower.group().hasLeader()).isFalse();

        Await.until(REPAIRED_WITHIN, "a leader known to every member",
                () -> all.stream().allMatch(m -> m.group().hasLeader()));
        assertThat(follower.group().electionRestarts()).isEqualTo(1);
        assertThat(raft(follower.channel()).currentTerm()).isGreaterThan(term + 5);
        assertThat(all).allMatch(m -> m.channel().getView().equals(view));
        Member now = members.awaitLeader();
        assertThat(all).allMatch(m -> m.group().handle().leader().equals(now.channel().getAddress()));
    }

    @Test
    void aMinorityWithoutALeader_startsNoVote() throws Exception {
        members = new RaftMembers(List.of("a", "b", "c"), Duration.ofSeconds(3));
        Member a = members.start("a");

        Thread.sleep(REPAIRED_WITHIN.toMillis()); // nothing to wait for: the absence of a vote is the point

        assertThat(a.group().hasLeader()).isFalse();
        assertThat(a.group().electionRestarts()).isZero();
    }

    private static RAFT raft(JChannel channel) {
        return channel.getProtocolStack().findProtocol(RAFT.class);
    }

    /** Loses the first {@code count} LeaderElected messages right under the election protocol (above retransmission). */
    private static void dropLeaderElected(JChannel channel, AtomicInteger dropped, int count) {
        ProtocolStack stack = channel.getProtocolStack();
        short election = stack.findProtocol(BaseElection.class).getId();
        try {
            stack.insertProtocol(new Protocol() {
                @Override
                public Object up(Message msg) {
                    if (lose(msg)) {
                        return null;
                    }
                    return up_prot.up(msg);
                }

                @Override
                public void up(MessageBatch batch) {
                    for (Iterator<Message> it = batch.iterator(); it.hasNext(); ) {
                        if (lose(it.next())) {
                            it.remove();
                        }
                    }
                    if (!batch.isEmpty()) {
                        up_prot.up(batch);
                    }
                }

                private boolean lose(Message msg) {
                    return msg.getHeader(election) instanceof LeaderElected && dropped.getAndUpdate(n -> n < count ? n + 1 : n) < count;
                }
            }, ProtocolStack.Position.BELOW, BaseElection.class);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
