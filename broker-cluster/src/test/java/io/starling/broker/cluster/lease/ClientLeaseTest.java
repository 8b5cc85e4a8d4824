package io.starling.broker.cluster.lease;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.cluster.NodeId;
import io.starling.broker.cluster.RaftMembers;
import io.starling.broker.testkit.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A node keeps its client connections while its pings get through the Raft log, and closes them when they stop. */
class ClientLeaseTest {
    private static final Duration LEASE = Duration.ofSeconds(3);
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void cutOffNode_closesItsClientsOnceTheLeaseRunsOut_theMajorityKeepsItsLease_andTheHealRenewsIt() throws Exception {
        RaftMembers members = new RaftMembers(List.of("l1", "l2", "l3"), Duration.ofSeconds(5));
        open.add(members);
        for (String name : List.of("l1", "l2", "l3")) {
            members.start(name);
        }
        RaftMembers.Member leader = members.awaitLeader();
        List<ClientLease> leases = new ArrayList<>();
        List<AtomicInteger> closes = new ArrayList<>();
        AtomicBoolean counting = new AtomicBoolean(); // sweeps before the first ping applies close nothing here
        for (String name : List.of("l1", "l2", "l3")) {
            RaftMembers.Member m = members.get(name);
            AtomicInteger closed = new AtomicInteger();
            closes.add(closed);
            ClientLease lease = ClientLease.start(new NodeId(name), m.group(), m.pings(), LEASE, closedOne -> {
                if (!counting.get()) {
                    return 0;
                }
                if (closed.incrementAndGet() == 1) {
                    for (int i = 0; i < 7; i++) {
                        closedOne.run(); // seven connections, closed by the first sweep only
                    }
                }
                return 7;
            });
            open.add(lease);
            leases.add(lease);
        }
        Await.until(RaftMembers.WAIT, "every lease held", () -> leases.stream().allMatch(ClientLease::held));
        counting.set(true);
        int cut = leader.name().equals("l3") ? 0 : 2; // a follower: the majority keeps its leader
        String cutName = "l" + (cut + 1);

        members.isolate(cutName);
        long isolated = System.nanoTime();
        Await.until(RaftMembers.WAIT, "the cut-off node's lease run out", () -> !leases.get(cut).held());
        long ranOut = System.nanoTime() - isolated;

        assertThat(Duration.ofNanos(ranOut)).isGreaterThanOrEqualTo(LEASE.minus(ClientLease.period(LEASE).multipliedBy(2))) // from the last ping sent, a period or so before
                .isLessThan(ClientLease.grantWait(LEASE));
        assertThat(closes.get(cut).get()).isPositive(); // and again at each check while it does not hold
        assertThat(leases.get(cut).closedConnections()).isEqualTo(7); // once each, however many sweeps
        assertThat(leases.get(cut).expiries()).isEqualTo(1);
        Thread.sleep(LEASE.toMillis()); // the majority's leases hold on meanwhile
        for (int i = 0; i < 3; i++) {
            if (i != cut) {
                assertThat(leases.get(i).held()).as("l" + (i + 1)).isTrue();
                assertThat(leases.get(i).expiries()).as("l" + (i + 1)).isZero();
                assertThat(closes.get(i).get()).as("l" + (i + 1)).isZero();
            }
        }

        members.heal(cutName);
        Await.until(RaftMembers.WAIT, "the healed node's lease held again", () -> leases.get(cut).held(),
                () -> members.get(cutName).group().describe());
        assertThat(leases.get(cut).expiries()).isEqualTo(1);
        int sweeps = closes.get(cut).get();
        Thread.sleep(3 * ClientLease.period(LEASE).toMillis());
        assertThat(closes.get(cut).get()).as("no sweep once it holds again").isEqualTo(sweeps);
    }

    @Test
    void checkInterval_isATenthOfTheLease_between100msAnd1s_andTheGrantWaitAddsItAndASecond() {
        assertThat(ClientLease.period(Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(1));
        assertThat(ClientLease.period(Duration.ofSeconds(5))).isEqualTo(Duration.ofMillis(500));
        assertThat(ClientLease.period(Duration.ofMillis(500))).isEqualTo(Duration.ofMillis(100));
        assertThat(ClientLease.grantWait(Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(32));
    }
}
