package io.starling.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.testkit.Await;
import java.io.DataInput;
import java.io.DataOutput;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jgroups.JChannel;
import org.jgroups.raft.RaftHandle;
import org.jgroups.raft.StateMachine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * jgroups-raft 1.1.4 is built against JGroups 5.4; the broker uses JGroups 5.5. This checks that the
 * pair works: three members elect a leader and a command reaches every state machine.
 */
class RaftOnJGroups55Test {
    private final List<JChannel> channels = new ArrayList<>();

    @AfterEach
    void close() {
        channels.forEach(JChannel::close);
    }

    @Test
    void threeMembers_electALeader_andApplyACommandOnEveryMember() throws Exception {
        RaftTestStack stack = RaftTestStack.of(List.of("a", "b", "c"), 0);
        List<Recorder> machines = new ArrayList<>();
        List<RaftHandle> handles = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            JChannel channel = stack.channel(i, stack.members().get(i));
            channels.add(channel);
            Recorder machine = new Recorder();
            machines.add(machine);
            handles.add(new RaftHandle(channel, machine));
            channel.connect("raft-proof");
        }
        Await.until(Duration.ofSeconds(30), "one leader, known to every member",
                () -> handles.stream().filter(RaftHandle::isLeader).count() == 1
                && handles.stream().allMatch(h -> h.leader() != null));

        byte[] command = "hello".getBytes(StandardCharsets.UTF_8);
        byte[] answer = handles.get(2).set(command, 0, command.length, 10, TimeUnit.SECONDS);

        assertThat(new String(answer, StandardCharsets.UTF_8)).isEqualTo("applied hello");
        Await.until(Duration.ofSeconds(10), "the command applied on every member",
                () -> machines.stream().allMatch(m -> m.applied.size() == 1));
        assertThat(machines).allSatisfy(m -> assertThat(m.applied).containsExactly("hello"));
    }

    private static final class Recorder implements StateMachine {
        final List<String> applied = new CopyOnWriteArrayList<>();

        @Override
        public byte[] apply(byte[] data, int offset, int length, boolean serializeResponse) {
            String command = new String(data, offset, length, StandardCharsets.UTF_8);
            applied.add(command);
            return serializeResponse ? ("applied " + command).getBytes(StandardCharsets.UTF_8) : null;
        }

        @Override
        public void readContentFrom(DataInput in) {
        }

        @Override
        public void writeContentTo(DataOutput out) {
        }
    }
}
