package io.starling.broker.cluster.registry;

import io.starling.broker.cluster.Awaits;
import io.starling.broker.cluster.NodeId;
import io.starling.broker.cluster.RaftTestStack;
import io.starling.broker.cluster.raft.RaftGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jgroups.JChannel;

/** Registry members in one JVM on loopback ports, started and stopped by name. */
final class RegistryMembers implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(60);

    final RaftTestStack stack;
    private final Duration timeout;
    private final Map<String, Member> running = new ConcurrentHashMap<>();

    RegistryMembers(List<String> names, Duration timeout) throws Exception {
        this.stack = RaftTestStack.of(names, 0);
        this.timeout = timeout;
    }

    Member start(String name) throws Exception {
        JChannel channel = stack.channel(stack.members().indexOf(name), name);
        RaftGroup group = new RaftGroup(channel, timeout);
        List<String> lost = new CopyOnWriteArrayList<>();
        ClientIdRegistry registry = new ClientIdRegistry(new NodeId(name), group,
                (clientId, old, winner) -> lost.add(clientId + " " + old.epoch() + "->" + winner.node() + "/" + winner.epoch()));
        group.start();
        channel.connect("registry-test");
        Member member = new Member(name, channel, group, registry, lost);
        running.put(name, member);
        return member;
    }

    Member get(String name) {
        return running.get(name);
    }

    void stop(String name) {
        Member member = running.remove(name);
        member.group.close();
        member.channel.close();
    }

    /** Waits until the running members agree on one leader among them. */
    Member awaitLeader() throws InterruptedException {
        Awaits.until(WAIT, () -> {
            List<Member> members = new ArrayList<>(running.values());
            return members.stream().filter(m -> m.group.handle().isLeader()).count() == 1
                    && members.stream().allMatch(m -> m.group.hasLeader());
        });
        return running.values().stream().filter(m -> m.group.handle().isLeader()).findFirst().orElseThrow();
    }

    @Override
    public void close() {
        for (String name : List.copyOf(running.keySet())) {
            stop(name);
        }
    }

    record Member(String name, JChannel channel, RaftGroup group, ClientIdRegistry registry, List<String> lost) {
    }
}
