package io.starling.broker.cluster.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.cluster.RaftMembers;
import io.starling.broker.cluster.RaftMembers.Member;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Measures claim round trips on three members in one JVM (loopback): not part of the build, run with
 * {@code -Dregistry.bench=true -Dtest=ClaimRoundTrips}. Prints p50/p99 of sequential claims from the
 * leader and from a follower (REDIRECT adds a hop), and the time and log entries of a concurrent storm.
 */
@EnabledIfSystemProperty(named = "registry.bench", matches = "true")
class ClaimRoundTrips {
    private static final int CLAIMS = Integer.getInteger("registry.bench.claims", 1000);

    @Test
    void claimRoundTrips() throws Exception {
        try (RaftMembers members = new RaftMembers(List.of("a", "b", "c"), Duration.ofSeconds(30))) {
            for (String name : List.of("a", "b", "c")) {
                members.start(name);
            }
            Member leader = members.awaitLeader();
            Member follower = members.get(leader.name().equals("a") ? "b" : "a");
            sequential("warm-up", follower, 500);
            sequential("leader", leader, CLAIMS);
            sequential("follower", follower, CLAIMS);
            for (int storm = 0; storm < 3; storm++) {
                long entries = follower.group().handle().raft().lastAppended();
                long start = System.nanoTime();
                List<CompletableFuture<ClaimResult>> claims = new ArrayList<>();
                for (int i = 0; i < CLAIMS; i++) {
                    claims.add(follower.registry().claim("storm-" + storm + "-" + i));
                }
                for (CompletableFuture<ClaimResult> claim : claims) {
                    assertThat(claim.get(30, TimeUnit.SECONDS)).isInstanceOf(ClaimResult.Granted.class);
                }
                long tookMicros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
                System.out.printf("storm of %d concurrent claims from a follower: %.1f ms, %d log entries%n",
                        CLAIMS, tookMicros / 1000.0, follower.group().handle().raft().lastAppended() - entries);
            }
            for (int storm = 0; storm < 3; storm++) {
                unbatchedStorm(follower, storm);
            }
        }
    }

    /** The same storm with one log entry per claim, straight to jgroups-raft (its own queueing only). */
    private static void unbatchedStorm(Member member, int storm) throws Exception {
        long entries = member.group().handle().raft().lastAppended();
        long start = System.nanoTime();
        List<CompletableFuture<byte[]>> claims = new ArrayList<>();
        for (int i = 0; i < CLAIMS; i++) {
            java.io.ByteArrayOutputStream command = new java.io.ByteArrayOutputStream();
            java.io.DataOutputStream out = new java.io.DataOutputStream(command);
            out.writeByte(ClientIdTable.CLAIM);
            out.writeUTF("single-" + storm + "-" + i);
            out.writeUTF(member.name());
            java.io.ByteArrayOutputStream entry = new java.io.ByteArrayOutputStream();
            java.io.DataOutputStream batch = new java.io.DataOutputStream(entry);
            batch.writeInt(1); // a batch of one command
            batch.writeByte(ClientIdTable.TAG);
            batch.writeInt(command.size());
            batch.write(command.toByteArray());
            claims.add(member.group().handle().setAsync(entry.toByteArray(), 0, entry.size()));
        }
        for (CompletableFuture<byte[]> claim : claims) {
            claim.get(60, TimeUnit.SECONDS);
        }
        long tookMicros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
        System.out.printf("storm of %d concurrent claims from a follower, one log entry each: %.1f ms, %d log entries%n",
                CLAIMS, tookMicros / 1000.0, member.group().handle().raft().lastAppended() - entries);
    }

    private static void sequential(String who, Member member, int count) throws Exception {
        long[] micros = new long[count];
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            ClaimResult result = member.registry().claim(who + "-" + i).get(30, TimeUnit.SECONDS);
            micros[i] = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
            assertThat(result).isInstanceOf(ClaimResult.Granted.class);
        }
        Arrays.sort(micros);
        System.out.printf("%d sequential claims from the %s: p50 %d us, p99 %d us, max %d us%n", count, who,
                micros[count / 2], micros[(int) (count * 0.99)], micros[count - 1]);
    }
}
