package io.starling.broker.cluster.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.testkit.Await;
import io.starling.broker.cluster.NodeId;
import io.starling.broker.cluster.RaftMembers;
import io.starling.broker.cluster.RaftMembers.Member;
import io.starling.broker.core.session.ClientIdClaims;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClientIdRegistryTest {
    private static final long SECONDS = RaftMembers.WAIT.toSeconds();
    private RaftMembers members;

    @AfterEach
    void close() {
        if (members != null) {
            members.close();
        }
    }

    private RaftMembers threeMembers(Duration timeout) throws Exception {
        members = new RaftMembers(List.of("a", "b", "c"), timeout);
        for (String name : List.of("a", "b", "c")) {
            members.start(name);
        }
        members.awaitLeader();
        return members;
    }

    private static ClaimResult.Granted granted(CompletableFuture<ClaimResult> claim) throws Exception {
        ClaimResult result = claim.get(SECONDS, TimeUnit.SECONDS);
        assertThat(result).isInstanceOf(ClaimResult.Granted.class);
        return (ClaimResult.Granted) result;
    }

    @Test
    void claimsFromTwoNodes_endWithOneOwner_increasingEpochs_andTheOldOwnerIsTold() throws Exception {
        threeMembers(Duration.ofSeconds(30));
        Member a = members.get("a");
        Member b = members.get("b");

        ClaimResult.Granted first = granted(a.registry().claim("sensor-1"));
        ClaimResult.Granted second = granted(b.registry().claim("sensor-1"));

        assertThat(first.owner().node()).isEqualTo(new NodeId("a"));
        assertThat(first.previous()).isNull();
        assertThat(second.owner().node()).isEqualTo(new NodeId("b"));
        assertThat(second.owner().epoch()).isGreaterThan(first.owner().epoch());
        assertThat(second.previous()).isEqualTo(first.owner());
        assertThat(b.registry().owner("sensor-1").get(SECONDS, TimeUnit.SECONDS)).isEqualTo(second.owner());
        Await.until(RaftMembers.WAIT, "a told that it lost an id", () -> !a.lost().isEmpty());
        assertThat(a.lost()).containsExactly("sensor-1 " + first.owner().epoch() + "->b/" + second.owner().epoch());
        assertThat(b.lost()).isEmpty();
        for (String name : List.of("a", "b", "c")) {
            Await.until(RaftMembers.WAIT, "the second owner of sensor-1 on the member",
                    () -> second.owner().equals(members.get(name).registry().localOwner("sensor-1")));
        }
    }

    @Test
    void concurrentClaimsOfOneId_fromEveryNode_endWithTheHighestEpochAsTheOneOwner() throws Exception {
        threeMembers(Duration.ofSeconds(30));
        List<CompletableFuture<ClaimResult>> claims = new ArrayList<>();
        for (int round = 0; round < 20; round++) {
            for (String name : List.of("a", "b", "c")) {
                claims.add(members.get(name).registry().claim("shared"));
            }
        }
        Set<Long> epochs = new HashSet<>();
        Owner last = null;
        for (CompletableFuture<ClaimResult> claim : claims) {
            Owner owner = granted(claim).owner();
            assertThat(epochs.add(owner.epoch())).as("epoch %s given twice", owner.epoch()).isTrue();
            last = last == null || owner.epoch() > last.epoch() ? owner : last;
        }
        Owner winner = last;
        assertThat(members.get("c").registry().owner("shared").get(SECONDS, TimeUnit.SECONDS)).isEqualTo(winner);
    }

    @Test
    void aLateReleaseFromTheOldEpoch_isIgnored_theCurrentOneReleases() throws Exception {
        threeMembers(Duration.ofSeconds(30));
        Member a = members.get("a");
        Member b = members.get("b");
        Owner old = granted(a.registry().claim("car-7")).owner();
        Owner current = granted(b.registry().claim("car-7")).owner();

        assertThat(a.registry().release("car-7", old).get(SECONDS, TimeUnit.SECONDS)).isFalse();
        assertThat(a.registry().owner("car-7").get(SECONDS, TimeUnit.SECONDS)).isEqualTo(current);

        assertThat(b.registry().release("car-7", current).get(SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(a.registry().owner("car-7").get(SECONDS, TimeUnit.SECONDS)).isNull();
        Owner again = granted(a.registry().claim("car-7")).owner();
        assertThat(again.epoch()).as("an epoch is never given twice, even after a release").isGreaterThan(current.epoch());
    }

    @Test
    void manyConcurrentClaims_takeFewRaftRounds() throws Exception {
        threeMembers(Duration.ofSeconds(30));
        Member b = members.get("b");
        long entriesBefore = b.group().handle().raft().lastAppended();
        List<CompletableFuture<ClaimResult>> claims = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            claims.add(b.registry().claim("storm-" + i));
        }
        for (CompletableFuture<ClaimResult> claim : claims) {
            granted(claim);
        }
        Await.until(RaftMembers.WAIT, "the entry appended on b",
                () -> b.group().handle().raft().lastAppended() >= entriesBefore + 1);
        long entries = b.group().handle().raft().lastAppended() - entriesBefore;
        System.out.println("300 concurrent claims: " + entries + " log entries");
        assertThat(entries).as("log entries for 300 claims").isLessThanOrEqualTo(30);
        Await.until(RaftMembers.WAIT, "300 ids on b", () -> b.registry().size() == 300);
    }

    @Test
    void leaderKilled_anotherIsElected_andTheStateSurvives() throws Exception {
        threeMembers(Duration.ofSeconds(30));
        Member leader = members.awaitLeader();
        Owner owner = granted(leader.registry().claim("pump-3")).owner();

        members.stop(leader.name());
        Member next = members.awaitLeader();

        assertThat(next.name()).isNotEqualTo(leader.name());
        assertThat(next.registry().owner("pump-3").get(SECONDS, TimeUnit.SECONDS)).isEqualTo(owner);
        ClaimResult.Granted taken = granted(next.registry().claim("pump-3"));
        assertThat(taken.previous()).isEqualTo(owner);
        assertThat(taken.owner().epoch()).isGreaterThan(owner.epoch());
    }

    @Test
    void minorityMember_failsClaimsFast_andClaimsAgainOnceAMajorityIsBack() throws Exception {
        threeMembers(Duration.ofSeconds(60));
        members.stop("b");
        members.stop("c");
        Member a = members.get("a");
        Await.until(RaftMembers.WAIT, "a without a leader", () -> !a.group().hasLeader());

        long start = System.nanoTime();
        ClaimResult refused = a.registry().claim("door-1").get(SECONDS, TimeUnit.SECONDS);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(refused).isInstanceOf(ClaimResult.Unavailable.class);
        assertThat(tookMillis).as("a refusal does not wait for the 60 s commit timeout").isLessThan(5_000);
        assertThat(new RegistryClaims(new NodeId("a"), a.registry()).claim("door-1").toCompletableFuture()
                .get(SECONDS, TimeUnit.SECONDS)).as("what CONNECT is told").isEqualTo(ClientIdClaims.Claim.UNAVAILABLE);

        members.start("b");
        members.awaitLeader();
        ClaimResult.Granted granted = granted(a.registry().claim("door-1"));
        assertThat(granted.owner().node()).isEqualTo(new NodeId("a"));
        RegistryClaims claims = new RegistryClaims(new NodeId("a"), a.registry());
        ClientIdClaims.Claim claim = claims.claim("door-1").toCompletableFuture().get(SECONDS, TimeUnit.SECONDS);
        assertThat(claim.granted()).isTrue();
        assertThat(claim.token()).as("the token is the epoch").isGreaterThan(granted.owner().epoch());
        claims.release("door-1", granted.owner().epoch()); // an older session's end changes nothing
        claims.release("door-1", claim.token());
        Await.until(RaftMembers.WAIT, "door-1 released on a", () -> a.registry().localOwner("door-1") == null);
    }

    @Test
    void aMemberStartedLater_catchesUpFromASnapshot() throws Exception {
        members = new RaftMembers(List.of("a", "b", "c"), Duration.ofSeconds(30));
        members.start("a");
        members.start("b");
        Member leader = members.awaitLeader();
        List<Owner> owners = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            owners.add(granted(leader.registry().claim("lamp-" + i)).owner());
        }
        for (String name : List.of("a", "b")) {
            Member m = members.get(name);
            Await.until(RaftMembers.WAIT, "50 ids on the member", () -> m.registry().size() == 50);
            m.group().handle().snapshot();
        }
        assertThat(leader.group().handle().log().firstAppended()).as("the log was compacted").isGreaterThan(1);

        Member late = members.start("c");

        Await.until(RaftMembers.WAIT, "50 ids on the late member", () -> late.registry().size() == 50);
        for (int i = 0; i < 50; i++) {
            assertThat(late.registry().localOwner("lamp-" + i)).isEqualTo(owners.get(i));
        }
        ClaimResult.Granted next = granted(late.registry().claim("lamp-0"));
        assertThat(next.owner().epoch()).as("the epoch counter came with the snapshot").isGreaterThan(
                owners.stream().mapToLong(Owner::epoch).max().orElseThrow());
    }

    @Test
    void theLogIsCompactedAtMaxLogSize_andAMemberStartedLaterCatchesUpFromThatSnapshot() throws Exception {
        members = new RaftMembers(List.of("a", "b", "c"), Duration.ofSeconds(30), 4_000);
        members.start("a");
        members.start("b");
        Member leader = members.awaitLeader();
        for (int i = 0; i < 200; i++) {
            granted(leader.registry().claim("valve-" + i));
        }
        assertThat(leader.group().handle().raft().numSnapshots()).as("snapshots taken").isPositive();
        assertThat(leader.group().handle().log().firstAppended()).as("the log was compacted").isGreaterThan(1);

        Member late = members.start("c");

        Await.until(RaftMembers.WAIT, "200 ids on the late member", () -> late.registry().size() == 200);
        assertThat(late.registry().localOwner("valve-0")).isEqualTo(leader.registry().localOwner("valve-0"));
    }

    @Test
    void dropNode_forgetsOnlyThatNodesIds() throws Exception {
        threeMembers(Duration.ofSeconds(30));
        granted(members.get("a").registry().claim("x"));
        granted(members.get("a").registry().claim("y"));
        Owner z = granted(members.get("b").registry().claim("z")).owner();

        int dropped = members.get("c").registry().dropNode(new NodeId("a")).get(SECONDS, TimeUnit.SECONDS);

        assertThat(dropped).isEqualTo(2);
        assertThat(members.get("c").registry().owner("x").get(SECONDS, TimeUnit.SECONDS)).isNull();
        assertThat(Objects.requireNonNull(members.get("c").registry().owner("z").get(SECONDS, TimeUnit.SECONDS))).isEqualTo(z);
    }
}
