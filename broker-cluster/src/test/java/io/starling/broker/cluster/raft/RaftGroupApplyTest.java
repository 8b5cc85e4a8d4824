package io.starling.broker.cluster.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.starling.broker.cluster.RaftTestStack;
import io.starling.broker.testkit.Await;
import java.io.DataInput;
import java.io.DataOutput;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.jgroups.JChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * jgroups-raft swallows an exception thrown by the state machine and moves on; a Raft entry holds a
 * batch of commands, so one command that throws on one member (a bug in a part, or a listener that
 * fails there) would silently skip the rest of the batch on that member only, and the members' states
 * would differ from then on (a retained message missing on one node, once in CI). {@link RaftGroup}
 * applies every command of an entry whatever the others do, and fails the one that threw.
 */
class RaftGroupApplyTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private final List<JChannel> channels = new ArrayList<>();
    private final List<RaftGroup> groups = new ArrayList<>();

    @AfterEach
    void close() {
        groups.forEach(RaftGroup::close);
        channels.forEach(JChannel::close);
    }

    @Test
    void aCommandThatThrowsOnOneMember_failsAlone_andTheOtherCommandsOfItsEntryAreAppliedOnEveryMember() throws Exception {
        RaftTestStack stack = RaftTestStack.of(List.of("a", "b"), 0);
        Recorder onA = new Recorder("a");
        Recorder onB = new Recorder("b");
        RaftGroup a = member(stack, 0, "a", onA);
        RaftGroup b = member(stack, 1, "b", onB);
        Await.until(WAIT, "a leader known to both", () -> a.hasLeader() && b.hasLeader());

        // Submitted at once: they leave together, as one entry (or the first alone and the rest as one).
        List<CompletableFuture<byte[]>> answers = new ArrayList<>();
        for (String command : List.of("first", "before", "fails-on-a", "after")) {
            answers.add(a.submit(Recorder.TAG, command.getBytes(StandardCharsets.UTF_8)));
        }
        for (CompletableFuture<byte[]> answer : List.of(answers.get(0), answers.get(1), answers.get(3))) {
            answer.get(30, TimeUnit.SECONDS);
        }
        Await.until(WAIT, "the commands applied on both",
                () -> onA.applied.contains("after") && onB.applied.contains("after"));

        assertThat(onA.applied).containsExactly("first", "before", "after");
        assertThat(onB.applied).containsExactly("first", "before", "fails-on-a", "after");
        assertThat(a.failedApplies()).isEqualTo(1);
        assertThat(b.failedApplies()).isZero();
        if (a.handle().isLeader()) {
            // The answer is the leader's: it failed there.
            assertThatThrownBy(() -> answers.get(2).get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasMessageContaining("failed when applied");
        } else {
            assertThat(answers.get(2).get(30, TimeUnit.SECONDS)).asString(StandardCharsets.UTF_8).isEqualTo("fails-on-a");
        }
    }

    private RaftGroup member(RaftTestStack stack, int index, String name, Recorder part) throws Exception {
        JChannel channel = stack.channel(index, name);
        channels.add(channel);
        RaftGroup group = new RaftGroup(channel, Duration.ofSeconds(20));
        groups.add(group);
        group.register(part);
        group.start();
        channel.connect("raft-apply-test");
        return group;
    }

    /** Records the commands it applies; throws for "fails-on-&lt;its member&gt;". */
    private static final class Recorder implements ReplicatedPart {
        static final byte TAG = 9;
        final List<String> applied = new CopyOnWriteArrayList<>();
        private final String member;

        Recorder(String member) {
            this.member = member;
        }

        @Override
        public byte tag() {
            return TAG;
        }

        @Override
        public byte[] apply(DataInput command) throws java.io.IOException {
            String text = command.readLine();
            if (text.equals("fails-on-" + member)) {
                throw new IllegalStateException("a bug in a part, on " + member);
            }
            applied.add(text);
            return text.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public void writeContentTo(DataOutput out) {
        }

        @Override
        public void readContentFrom(DataInput in) {
        }
    }
}
