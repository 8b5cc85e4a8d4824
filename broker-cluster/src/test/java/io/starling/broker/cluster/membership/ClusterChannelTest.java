package io.starling.broker.cluster.membership;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.starling.broker.cluster.NodeId;
import io.starling.broker.cluster.raft.RaftGroup;
import io.starling.broker.cluster.raft.ReplicatedPart;
import io.starling.broker.config.ClusterSettings;
import java.io.DataInput;
import java.io.DataOutput;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.TCP;
import org.jgroups.raft.RaftHandle;
import org.jgroups.raft.StateMachine;
import org.jgroups.stack.ProtocolStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Three nodes in one JVM on loopback ports: one view, one Raft leader, multicast between them. */
class ClusterChannelTest {
    private final List<ClusterChannel> channels = new ArrayList<>();
    private final List<RaftGroup> raftGroups = new ArrayList<>();

    @AfterEach
    void close() {
        raftGroups.forEach(RaftGroup::close);
        channels.forEach(ClusterChannel::close);
    }

    /** Through {@link RaftGroup}, as the broker does: its election watch covers jgroups-raft's joining race. */
    @Test
    void threeNodes_formOneViewAndElectARaftLeaderThatCommits() throws Exception {
        List<ClusterSettings> settings = TestNodes.settings("view-raft", 3);
        List<RaftGroup> groups = new ArrayList<>();
        List<CountingPart> counters = new ArrayList<>();
        for (ClusterSettings s : settings) {
            ClusterChannel c = new ClusterChannel(s, null);
            CountingPart counter = new CountingPart();
            RaftGroup group = new RaftGroup(c.channel(), Duration.ofSeconds(10));
            group.register(counter);
            groups.add(group.start());
            raftGroups.add(group);
            counters.add(counter);
            channels.add(c);
        }
        for (ClusterChannel c : channels) {
            c.connect();
        }

        TestNodes.await(Duration.ofSeconds(30), "one view of 3",
                () -> channels.stream().allMatch(c -> c.members().size() == 3));
        assertThat(channels.get(0).members()).containsExactlyInAnyOrderElementsOf(
                List.of(new NodeId("n1"), new NodeId("n2"), new NodeId("n3")));
        try {
            TestNodes.await(Duration.ofSeconds(30), "a Raft leader known to all",
                    () -> groups.stream().allMatch(RaftGroup::hasLeader)
                            && groups.stream().filter(g -> g.handle().isLeader()).count() == 1);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; " + groups.stream().map(RaftGroup::describe).toList(), e);
        }

        // A write through a follower (REDIRECT) is committed and applied on every member.
        RaftGroup follower = groups.stream().filter(g -> !g.handle().isLeader()).findFirst().orElseThrow();
        follower.submit(CountingPart.TAG, new byte[] {1}).get(30, TimeUnit.SECONDS);
        TestNodes.await(Duration.ofSeconds(30), "the write applied everywhere",
                () -> counters.stream().allMatch(c -> c.applied == 1));
    }

    @Test
    void unicastOnceMember_toANodeNotYetInTheView_leavesWhenItJoins_inTheOrderGiven() throws Exception {
        List<ClusterSettings> settings = TestNodes.settings("once-member", 2);
        ClusterChannel n1 = new ClusterChannel(settings.get(0), null);
        channels.add(n1);
        n1.connect();
        NodeId n2Id = new NodeId("n2");
        assertThat(n1.unicast(n2Id, ClusterChannel.TAKEOVER, new byte[] {0})).as("plain unicast: not in the view").isFalse();

        CompletableFuture<Boolean> first = n1.unicastOnceMember(n2Id, ClusterChannel.TAKEOVER, "one".getBytes(), Duration.ofSeconds(30));
        CompletableFuture<Boolean> second = n1.unicastOnceMember(n2Id, ClusterChannel.TAKEOVER, "two".getBytes(), Duration.ofSeconds(30));
        assertThat(first).isNotDone();
        List<String> received = new CopyOnWriteArrayList<>();
        ClusterChannel n2 = new ClusterChannel(settings.get(1), null);
        n2.onMessage(ClusterChannel.TAKEOVER, (from, data) -> received.add(from + ":" + new String(data, StandardCharsets.UTF_8)));
        channels.add(n2);
        n2.connect();

        assertThat(first.get(30, TimeUnit.SECONDS)).isTrue();
        assertThat(second.get(30, TimeUnit.SECONDS)).isTrue();
        TestNodes.await(Duration.ofSeconds(30), "both on n2", () -> received.size() == 2);
        assertThat(received).containsExactly("n1:one", "n1:two");
    }

    @Test
    void unicastOnceMember_toANodeThatNeverJoins_answersFalseAfterTheWait() throws Exception {
        List<ClusterSettings> settings = TestNodes.settings("never-member", 2);
        ClusterChannel n1 = new ClusterChannel(settings.get(0), null);
        channels.add(n1);
        n1.connect();

        long start = System.nanoTime();
        boolean sent = n1.unicastOnceMember(new NodeId("n2"), ClusterChannel.TAKEOVER, new byte[] {1}, Duration.ofMillis(300))
                .get(30, TimeUnit.SECONDS);

        assertThat(sent).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void multicast_reachesTheOtherNodesOfThatKindOnly() throws Exception {
        List<ClusterSettings> settings = TestNodes.settings("multicast", 2);
        List<String> received = new CopyOnWriteArrayList<>();
        for (ClusterSettings s : settings) {
            ClusterChannel c = new ClusterChannel(s, null);
            c.onMessage(ClusterChannel.ROUTES, (from, data) ->
                    received.add(s.nodeId() + "<-" + from + ":" + new String(data, StandardCharsets.UTF_8)));
            channels.add(c);
            c.connect();
        }
        TestNodes.await(Duration.ofSeconds(30), "one view of 2",
                () -> channels.stream().allMatch(c -> c.members().size() == 2));

        channels.get(0).multicast((byte) 99, "other kind".getBytes(StandardCharsets.UTF_8));
        channels.get(0).multicast(ClusterChannel.ROUTES, "hello".getBytes(StandardCharsets.UTF_8));

        TestNodes.await(Duration.ofSeconds(10), "the multicast", () -> !received.isEmpty());
        assertThat(received).containsExactly("n2<-n1:hello"); // not to itself, not the unknown kind
    }

    @Test
    void viewListeners_seeANodeLeaveAtOnceWhenItCloses() throws Exception {
        List<ClusterSettings> settings = TestNodes.settings("leave", 2);
        List<String> views = new CopyOnWriteArrayList<>();
        for (ClusterSettings s : settings) {
            ClusterChannel c = new ClusterChannel(s, null);
            if (s.nodeId().equals("n1")) {
                c.addViewListener((members, merged) -> views.add(members + (merged ? " merged" : "")));
            }
            channels.add(c);
            c.connect();
        }
        TestNodes.await(Duration.ofSeconds(30), "one view of 2", () -> views.contains("[n1, n2]"));

        channels.remove(1).close();

        TestNodes.await(Duration.ofSeconds(10), "n2 gone", () -> views.get(views.size() - 1).equals("[n1]"));
    }

    /**
     * A node restarted at once after a crash (kill -9, then systemd's restart) finds its previous run still in
     * the view until failure detection drops it, and jgroups-raft's NO_DUPES refuses a second member of that
     * name. It joins again until that run is gone instead of failing the start (2026-12-07: a broker restarted
     * 2 s after SIGKILL exited with "join of n1 rejected as it would create a view with duplicate members").
     */
    @Test
    void aNodeRestartedWhileItsPreviousRunIsStillInTheView_joinsOnceThatRunIsDropped(@TempDir Path raftLogs) throws Exception {
        List<ClusterSettings> nodes = TestNodes.fastDetection("restart-join", 2);
        ClusterChannel other = new ClusterChannel(nodes.get(1), null);
        channels.add(other);
        other.connect(); // first: the coordinator, which answers the restarted node's join
        ClusterChannel crashed = new ClusterChannel(nodes.get(0), null);
        channels.add(crashed);
        DISCARD silence = new DISCARD();
        crashed.channel().getProtocolStack().insertProtocol(silence, ProtocolStack.Position.ABOVE, TCP.class);
        crashed.connect();
        TestNodes.await(Duration.ofSeconds(30), "one view of 2", () -> other.members().size() == 2);

        silence.discardAll(true); // dead, as far as the others can tell, but still in their view for a while
        ClusterSettings first = nodes.get(0);
        ClusterSettings.HostPort elsewhere = new ClusterSettings.HostPort("127.0.0.1", io.starling.broker.testkit.FreePorts.freePort());
        ClusterChannel restarted = new ClusterChannel(new ClusterSettings(first.name(), first.nodeId(), elsewhere,
                first.peers(), first.raftMembers(), 0, null, first.heartbeatInterval(), first.failureTimeout(),
                first.suspectTimeout(), first.mergeInterval()), raftLogs); // on disk: a refused connect closes the log
        channels.add(restarted);
        RaftGroup group = new RaftGroup(restarted.channel(), Duration.ofSeconds(5)).start();
        raftGroups.add(group);
        Logger log = (Logger) LoggerFactory.getLogger(ClusterChannel.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        log.addAppender(lines);
        long start = System.nanoTime();
        try {
            restarted.connect(group::resetForRejoin);
        } finally {
            log.detachAppender(lines);
        }

        assertThat(restarted.members()).containsExactlyInAnyOrder(new NodeId("n1"), new NodeId("n2"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
        assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage).anyMatch(m -> m.startsWith(
                "Cluster node n1: the cluster still has a member named n1, a previous run of this node"));
        TestNodes.await(Duration.ofSeconds(30), "the restarted run in the other's view",
                () -> other.members().size() == 2 && other.channel().getView().containsMember(restarted.channel().getAddress()));
    }

    /** Two live nodes with one cluster_node_id: the second start fails once failure detection could have dropped a dead run. */
    @Test
    void aSecondLiveNodeWithTheSameNodeId_failsToJoin_namingTheOption() throws Exception {
        List<ClusterSettings> nodes = TestNodes.fastDetection("same-id", 2);
        ClusterChannel first = new ClusterChannel(nodes.get(1), null);
        channels.add(first);
        first.connect();
        ClusterSettings second = nodes.get(0);
        ClusterChannel twin = new ClusterChannel(new ClusterSettings(second.name(), "n2", second.bind(), second.peers(),
                second.raftMembers(), 0, null, second.heartbeatInterval(), second.failureTimeout(),
                second.suspectTimeout(), second.mergeInterval()), null);
        channels.add(twin);

        org.assertj.core.api.Assertions.assertThatThrownBy(twin::connect).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("another member of cluster 'same-id' is named n2 (cluster_node_id must differ between nodes)");
        assertThat(first.members()).containsExactly(new NodeId("n2"));
    }

    @Test
    void aPartitionAndItsHealing_areLoggedAsSuspectedLeftAndMerged() throws Exception {
        Logger log = (Logger) LoggerFactory.getLogger(ClusterChannel.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        log.addAppender(lines);
        try {
            List<DISCARD> cuts = new ArrayList<>();
            for (ClusterSettings s : TestNodes.settings("partition-log", 2)) {
                ClusterChannel c = new ClusterChannel(new ClusterSettings(s.name(), s.nodeId(), s.bind(), s.peers(),
                        s.raftMembers(), 0, null, Duration.ofMillis(500), Duration.ofSeconds(3), Duration.ofSeconds(1),
                        Duration.ofSeconds(3)), null);
                DISCARD cut = new DISCARD();
                c.channel().getProtocolStack().insertProtocol(cut, ProtocolStack.Position.ABOVE, TCP.class);
                cuts.add(cut);
                channels.add(c);
                c.connect();
            }
            TestNodes.await(Duration.ofSeconds(30), "one view of 2",
                    () -> channels.stream().allMatch(c -> c.members().size() == 2));

            cuts.get(1).discardAll(true);
            TestNodes.await(Duration.ofSeconds(30), "two partitions",
                    () -> channels.stream().allMatch(c -> c.members().size() == 1));
            cuts.get(1).discardAll(false);
            TestNodes.await(Duration.ofSeconds(30), "merged",
                    () -> channels.stream().allMatch(c -> c.members().size() == 2));

            List<String> messages = lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
            assertThat(messages).anyMatch(m -> m.startsWith("Cluster members suspected (not heard from in time): [n2]"));
            assertThat(messages).anyMatch(m -> m.startsWith("Cluster members left: [n2]; members [n1]"));
            // The merged view's order is its coordinator's choice: either node may lead it.
            assertThat(messages).anyMatch(m -> m.startsWith("Cluster partitions merged: ")
                    && (m.endsWith("members [n1, n2].") || m.endsWith("members [n2, n1].")));
        } finally {
            log.detachAppender(lines);
        }
    }

    @Test
    void raftLog_isWrittenInTheGivenDirectoryUnderTheNodeId(@TempDir Path dir) throws Exception {
        ClusterSettings s = TestNodes.settings("file-log", 1).get(0);
        ClusterChannel c = new ClusterChannel(s, dir);
        Counter counter = new Counter();
        RaftHandle raft = new RaftHandle(c.channel(), counter);
        channels.add(c);
        c.connect();
        TestNodes.await(Duration.ofSeconds(30), "the single member leads", raft::isLeader);

        raft.setAsync(new byte[] {1}, 0, 1, null).get(30, TimeUnit.SECONDS);

        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("n1.raft.log");
        }
        assertThat(raft.logSize()).isPositive();
    }

    @Test
    void aNodeWithItsLogInMemory_startedAgainInTheSameJvm_startsEmpty_asANewProcessWould() throws Exception {
        ClusterSettings s = TestNodes.settings("memory-log", 1).get(0);
        ClusterChannel first = new ClusterChannel(s, null);
        CountingPart firstPart = new CountingPart();
        RaftGroup firstGroup = new RaftGroup(first.channel(), Duration.ofSeconds(10));
        firstGroup.register(firstPart);
        firstGroup.start();
        first.connect();
        TestNodes.await(Duration.ofSeconds(30), "the single member leads", firstGroup::hasLeader);
        firstGroup.submit(CountingPart.TAG, new byte[] {1}).get(30, TimeUnit.SECONDS);
        firstGroup.close();
        first.close();

        ClusterChannel again = new ClusterChannel(s, null);
        channels.add(again);
        CountingPart part = new CountingPart();
        RaftGroup group = new RaftGroup(again.channel(), Duration.ofSeconds(10));
        group.register(part);
        raftGroups.add(group.start());
        again.connect();
        TestNodes.await(Duration.ofSeconds(30), "the single member leads", group::hasLeader);

        // Before: jgroups-raft's JVM-wide map of in-memory logs gave it the first run's log, replayed here.
        assertThat(part.applied).as("commands replayed from an earlier run's log").isZero();
        assertThat(again.channel().getProtocolStack().<org.jgroups.protocols.raft.RAFT>findProtocol(
                org.jgroups.protocols.raft.RAFT.class).commitIndex()).isLessThanOrEqualTo(1); // its own first entry at most
    }

    /** A replicated part that counts the commands applied. */
    static final class CountingPart implements ReplicatedPart {
        static final byte TAG = 42;
        volatile int applied;

        @Override
        public byte tag() {
            return TAG;
        }

        @Override
        public byte[] apply(DataInput command) {
            applied++;
            return new byte[0];
        }

        @Override
        public void writeContentTo(DataOutput out) {
        }

        @Override
        public void readContentFrom(DataInput in) {
        }
    }

    /** A Raft state machine that counts the entries applied. */
    static final class Counter implements StateMachine {
        volatile int applied;

        @Override
        public byte[] apply(byte[] data, int offset, int length, boolean serializeResponse) {
            applied++;
            return null;
        }

        @Override
        public void readContentFrom(DataInput in) {
        }

        @Override
        public void writeContentTo(DataOutput out) {
        }
    }
}
