package io.starling.broker.cluster;

import io.starling.broker.testkit.Await;
import io.netty.buffer.PooledByteBufAllocator;
import io.starling.broker.cluster.lease.LeasePings;
import io.starling.broker.cluster.raft.RaftGroup;
import io.starling.broker.cluster.registry.ClientIdRegistry;
import io.starling.broker.cluster.retained.ReplicatedRetainedStore;
import io.starling.broker.core.store.RetainedStore;
import io.starling.broker.core.store.memory.InMemoryRetainedStore;
import io.starling.broker.core.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jgroups.JChannel;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.TCP;
import org.jgroups.stack.ProtocolStack;

/**
 * Cluster members in one JVM on loopback ports, each with its Raft group, client-id registry and
 * replicated retained store (over an in-memory local store), started and stopped by name.
 */
public final class RaftMembers implements AutoCloseable {
    public static final Duration WAIT = Duration.ofSeconds(60);

    final RaftTestStack stack;
    private final Duration timeout;
    private final Map<String, Member> running = new ConcurrentHashMap<>();

    public RaftMembers(List<String> names, Duration timeout) throws Exception {
        this(names, timeout, RaftTestStack.DEFAULT_MAX_LOG_SIZE);
    }

    /** With RAFT's {@code max_log_size}: a snapshot and a compacted log after that many bytes of entries. */
    public RaftMembers(List<String> names, Duration timeout, long maxLogSize) throws Exception {
        this.stack = RaftTestStack.of(names, 0, maxLogSize);
        this.timeout = timeout;
    }

    public Member start(String name) throws Exception {
        return start(name, new InMemoryRetainedStore());
    }

    /** Starts {@code name} with {@code local} as its local retained store (it may hold stale values). */
    public Member start(String name, RetainedStore local) throws Exception {
        return start(name, local, channel -> { });
    }

    /** Starts {@code name}, letting {@code beforeConnect} change its stack first (to lose chosen messages, say). */
    public Member start(String name, Consumer<JChannel> beforeConnect) throws Exception {
        return start(name, new InMemoryRetainedStore(), beforeConnect);
    }

    private Member start(String name, RetainedStore local, Consumer<JChannel> beforeConnect) throws Exception {
        JChannel channel = stack.channel(stack.members().indexOf(name), name);
        beforeConnect.accept(channel);
        RaftGroup group = new RaftGroup(channel, timeout);
        List<String> lost = new CopyOnWriteArrayList<>();
        ClientIdRegistry registry = new ClientIdRegistry(new NodeId(name), group,
                (clientId, old, winner) -> lost.add(clientId + " " + old.epoch() + "->" + winner.node() + "/" + winner.epoch()));
        ReplicatedRetainedStore retained = new ReplicatedRetainedStore(group, local, Clock.SYSTEM,
                PooledByteBufAllocator.DEFAULT);
        LeasePings pings = new LeasePings(name);
        group.register(pings);
        group.start();
        channel.connect("raft-test");
        Member member = new Member(name, channel, group, registry, retained, lost, pings);
        running.put(name, member);
        return member;
    }

    public Member get(String name) {
        return running.get(name);
    }

    public void stop(String name) {
        Member member = running.remove(name);
        member.group.close();
        member.channel.close();
        member.retained.close();
    }

    /** Waits until the running members agree on one leader among them. */
    public Member awaitLeader() throws InterruptedException {
        Await.until(WAIT, "one leader among the running members, known to each", () -> {
            List<Member> members = new ArrayList<>(running.values());
            return members.stream().filter(m -> m.group.handle().isLeader()).count() == 1
                    && members.stream().allMatch(m -> m.group.hasLeader());
        });
        return running.values().stream().filter(m -> m.group.handle().isLeader()).findFirst().orElseThrow();
    }

    /** Cuts {@code name} off from the others (both ways), as a network partition: no view change until failure detection. */
    public void isolate(String name) throws Exception {
        get(name).channel().getProtocolStack().insertProtocol(new DISCARD().discardAll(true),
                ProtocolStack.Position.ABOVE, TCP.class);
    }

    /** Heals {@link #isolate}: MERGE3 then merges the views. */
    public void heal(String name) {
        get(name).channel().getProtocolStack().removeProtocol(DISCARD.class);
    }

    @Override
    public void close() {
        for (String name : List.copyOf(running.keySet())) {
            stop(name);
        }
    }

    public record Member(String name, JChannel channel, RaftGroup group, ClientIdRegistry registry,
                         ReplicatedRetainedStore retained, List<String> lost, LeasePings pings) {
    }
}
