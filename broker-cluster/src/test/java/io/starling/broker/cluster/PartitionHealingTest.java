package io.starling.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
        members = new RaftMembers(List.of("a", "b", "c"), Duration.ofSeconds(3));
        for (String name : List.of("a", "b", "c")) {
            members.start(name);
        }
        Member old = members.awaitLeader();
        Owner before = grantedSoon(old, "meter-9").owner();
        Member other = members.get(old.name().equals("a") ? "b" : "a");
        Awaits.until(RaftMembers.WAIT, () -> before.equals(other.registry().localOwner("meter-9")));

        members.isolate(old.name());

        assertThat(old.registry().claim("meter-1").get(SECONDS, TimeUnit.SECONDS)).as("no majority behind the old leader")
                .isInstanceOf(ClaimResult.Unavailable.class);
        assertThatThrownBy(() -> old.retained().write(retained("plant/state", "minority")).get(SECONDS, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class);
        Awaits.until(RaftMembers.WAIT, () -> other.group().hasLeader()
                && !other.group().handle().leader().equals(old.channel().getAddress()));
        ClaimResult.Granted moved = grantedSoon(other, "meter-9");
        assertThat(moved.previous()).isEqualTo(before);
        other.retained().write(retained("plant/state", "majority")).get(SECONDS, TimeUnit.SECONDS);
        assertThat(old.lost()).as("the cut-off node cannot know yet").isEmpty();

        members.heal(old.name());

        Owner winner = moved.owner();
        Awaits.until(RaftMembers.WAIT, () -> !old.lost().isEmpty()); // told right after its table changed
        assertThat(old.registry().localOwner("meter-9")).isEqualTo(winner);
        assertThat(old.lost()).containsExactly("meter-9 " + before.epoch() + "->" + other.name() + "/" + winner.epoch());
        Awaits.until(RaftMembers.WAIT, () -> "majority".equals(payload(old.retained(), "plant/state")));
        assertThat(old.retained().lostWrites()).isEqualTo(1);
        assertThat(grantedSoon(old, "meter-1").owner().epoch()).isGreaterThan(winner.epoch());
    }

    @Test
    void anIsolatedFollower_afterHealing_getsTheRetainedValuesTheMajoritySetMeanwhile() throws Exception {
        members = new RaftMembers(List.of("a", "b", "c"), Duration.ofSeconds(3));
        for (String name : List.of("a", "b", "c")) {
            members.start(name);
        }
        Member leader = members.awaitLeader();
        Member follower = members.get(leader.name().equals("c") ? "b" : "c");
        leader.retained().write(retained("plant/state", "before")).get(SECONDS, TimeUnit.SECONDS);
        Awaits.until(RaftMembers.WAIT, () -> "before".equals(payload(follower.retained(), "plant/state")));

        members.isolate(follower.name());
        Awaits.until(RaftMembers.WAIT, () -> !leader.channel().getView().containsMember(follower.channel().getAddress()));
        leader.retained().write(retained("plant/state", "while-away")).get(SECONDS, TimeUnit.SECONDS);
        members.heal(follower.name());

        Awaits.until(RaftMembers.WAIT, () -> leader.channel().getView().size() == 3);
        Awaits.until(RaftMembers.WAIT, () -> "while-away".equals(payload(follower.retained(), "plant/state")));
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
