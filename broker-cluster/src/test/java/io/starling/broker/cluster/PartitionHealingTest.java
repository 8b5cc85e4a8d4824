package io.starling.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.starling.broker.testkit.Await;
import io.netty.buffer.PooledByteBufAllocator;
import io.starling.broker.cluster.RaftMembers.Member;
import io.starling.broker.cluster.registry.ClaimResult;
import io.starling.broker.cluster.registry.Owner;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.store.RetainedStore;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.QoS;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A network partition (issue 17, point 9) cuts the Raft leader off: it refuses claims and loses
 * retained writes, the majority elects another leader and goes on, and after healing the cut-off node
 * has the majority's state, and learns that its client was taken over meanwhile.
 */
@ExtendWith(LeakReports.class)
class PartitionHealingTest {
    private static final long SECONDS = RaftMembers.WAIT.toSeconds();
    private RaftMembers members;

    @AfterEach
    void close() {
        if (members != null) {
            members.close();
        }
    }

    @Test
    void anIsolatedLeader_refusesWrites_theMajorityGoesOn_andAfterHealingTheIsolatedNodeAgrees() throws Exception {
        startThree();
        Member old = members.awaitLeader();
        Owner before = grantedSoon(old, "meter-9").owner();
        Member other = members.get(old.name().equals("a") ? "b" : "a");
        Await.until(RaftMembers.WAIT, "meter-9 owned by the first claim on the other member",
                () -> before.equals(other.registry().localOwner("meter-9")));

        members.isolate(old.name());

        assertThat(old.registry().claim("meter-1").get(SECONDS, TimeUnit.SECONDS)).as("no majority behind the old leader")
                .isInstanceOf(ClaimResult.Unavailable.class);
        assertThatThrownBy(() -> old.retained().write(retained("plant/state", "minority")).get(SECONDS, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class);
        Await.until(RaftMembers.WAIT, "a leader other than the cut-off member", () -> other.group().hasLeader()
                && !other.group().handle().leader().equals(old.channel().getAddress()));
        ClaimResult.Granted moved = grantedSoon(other, "meter-9");
        assertThat(moved.previous()).isEqualTo(before);
        other.retained().write(retained("plant/state", "majority")).get(SECONDS, TimeUnit.SECONDS);
        assertThat(old.lost()).as("the cut-off node cannot know yet").isEmpty();

        members.heal(old.name());

        Owner winner = moved.owner();
        Await.until(RaftMembers.WAIT, "the cut-off member told that it lost an id",
                () -> !old.lost().isEmpty()); // told right after its table changed
        assertThat(old.registry().localOwner("meter-9")).isEqualTo(winner);
        assertThat(old.lost()).containsExactly("meter-9 " + before.epoch() + "->" + other.name() + "/" + winner.epoch());
        Await.until(RaftMembers.WAIT, "the majority's retained value on the healed member",
                () -> "majority".equals(payload(old.retained(), "plant/state")));
        assertThat(old.retained().lostWrites()).isEqualTo(1);
        assertThat(grantedSoon(old, "meter-1").owner().epoch()).isGreaterThan(winner.epoch());
    }

    @Test
    void anIsolatedFollower_afterHealing_getsTheRetainedValuesTheMajoritySetMeanwhile() throws Exception {
        startThree();
        Member leader = members.awaitLeader();
        Member follower = members.get(leader.name().equals("c") ? "b" : "c");
        leader.retained().write(retained("plant/state", "before")).get(SECONDS, TimeUnit.SECONDS);
        Await.until(RaftMembers.WAIT, "the first retained value on the follower",
                () -> "before".equals(payload(follower.retained(), "plant/state")));

        members.isolate(follower.name());
        Await.until(RaftMembers.WAIT, "the follower out of the leader's view",
                () -> !leader.channel().getView().containsMember(follower.channel().getAddress()));
        leader.retained().write(retained("plant/state", "while-away")).get(SECONDS, TimeUnit.SECONDS);
        members.heal(follower.name());

        Await.until(RaftMembers.WAIT, "a view of three after the heal", () -> leader.channel().getView().size() == 3);
        Await.until(RaftMembers.WAIT, "the value set meanwhile on the healed follower",
                () -> "while-away".equals(payload(follower.retained(), "plant/state")));
    }

    /**
     * jgroups-raft's leader resends what a follower lacks only when no request reached it for a second: with
     * writes at least that often the rejoined follower stayed behind for good (2026-12-07: commit 16 against
     * the leader's 219 a minute after the heal), unless {@code CatchUpWatch} sends it.
     */
    @Test
    void anIsolatedFollower_afterHealing_catchesUp_whileWritesReachTheLeaderEveryFewHundredMilliseconds() throws Exception {
        startThree();
        Member leader = members.awaitLeader();
        Member follower = members.get(leader.name().equals("c") ? "b" : "c");
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread writer = new Thread(() -> {
            int n = 0;
            while (writing.get()) {
                leader.registry().claim("busy-" + n++ % 50); // answers do not matter; the log must keep growing
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "steady-writer");
        writer.start();
        try {
            members.isolate(follower.name());
            Await.until(RaftMembers.WAIT, "the follower out of the leader's view",
                    () -> !leader.channel().getView().containsMember(follower.channel().getAddress()));
            leader.retained().write(retained("plant/state", "while-away")).get(SECONDS, TimeUnit.SECONDS);
            members.heal(follower.name());
            Await.until(RaftMembers.WAIT, "a view of three after the heal",
                    () -> leader.channel().getView().size() == 3);

            Await.until(RaftMembers.WAIT, "the value set meanwhile on the healed follower",
                    () -> "while-away".equals(payload(follower.retained(), "plant/state")));
            long healed = System.nanoTime();
            // All of it, not one entry a second behind a leader that writes five.
            Await.until(RaftMembers.WAIT, "the healed follower within 5 entries of the leader's commit index",
                    () -> follower.group().handle().commitIndex() >= leader.group().handle().commitIndex() - 5);
            assertThat(Duration.ofNanos(System.nanoTime() - healed)).isLessThan(Duration.ofSeconds(10));
            assertThat(leader.group().catchUpResends()).isPositive();
        } finally {
            writing.set(false);
            writer.join();
        }
    }

    private void startThree() throws Exception {
        members = new RaftMembers(List.of("a", "b", "c"), Duration.ofSeconds(3));
        for (String name : List.of("a", "b", "c")) {
            members.start(name);
        }
    }

    /** Claims until granted: right after a view change a claim may find no leader yet, and fail fast. */
    private static ClaimResult.Granted grantedSoon(Member member, String clientId) throws Exception {
        long deadline = System.nanoTime() + RaftMembers.WAIT.toNanos();
        while (true) {
            ClaimResult result = member.registry().claim(clientId).get(SECONDS, TimeUnit.SECONDS);
            if (result instanceof ClaimResult.Granted granted) {
                return granted;
            }
            assertThat(deadline - System.nanoTime()).as("granted within %s", RaftMembers.WAIT).isPositive();
            Thread.sleep(50); // a pause between attempts, not a synchronisation
        }
    }

    private static Message retained(String topic, String payload) {
        return new Message(topic, QoS.AT_MOST_ONCE, true,
                PooledByteBufAllocator.DEFAULT.buffer().writeBytes(payload.getBytes(StandardCharsets.UTF_8)),
                Properties.EMPTY, "publisher", Message.NEVER_EXPIRES);
    }

    private static String payload(RetainedStore store, String topic) {
        List<String> found = new ArrayList<>();
        store.match(topic, m -> {
            found.add(m.payload().toString(StandardCharsets.UTF_8));
            m.release();
            return true;
        });
        return found.isEmpty() ? null : Objects.requireNonNull(found.get(0));
    }
}
