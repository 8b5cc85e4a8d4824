package io.starling.broker.server;

import io.starling.broker.testkit.Await;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Waits for cluster brokers to know a Raft leader; a timeout says what each one's election looked like. */
final class RaftLeaders {
    private RaftLeaders() {
    }

    /**
     * Waits until {@code brokers} agree on one leader, and it is one of them: a member that has not yet dropped
     * a leader that just left still names it, and a CONNECT there would be refused.
     */
    static void await(Duration timeout, Collection<Broker> brokers) throws InterruptedException {
        List<Broker> all = List.copyOf(brokers);
        Await.until(timeout, "one Raft leader among " + all.size() + " brokers", () -> {
                    Set<Object> named = all.stream().map(b -> (Object) String.valueOf(b.cluster().raft().handle().leader()))
                            .collect(Collectors.toSet());
                    return all.stream().allMatch(b -> b.cluster().raft().hasLeader()) && named.size() == 1
                            && all.stream().anyMatch(b -> b.cluster().raft().handle().isLeader());
                },
                () -> all.stream().map(b -> b.cluster().raft().describe()).collect(Collectors.joining(" | ")));
    }
}
