package io.starling.broker.server;

import io.starling.broker.testkit.Await;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/** Waits for cluster brokers to know a Raft leader; a timeout says what each one's election looked like. */
final class RaftLeaders {
    private RaftLeaders() {
    }

    static void await(Duration timeout, Collection<Broker> brokers) throws InterruptedException {
        List<Broker> all = List.copyOf(brokers);
        Await.until(timeout, "a Raft leader on " + all.size() + " brokers",
                () -> all.stream().allMatch(b -> b.cluster().raft().hasLeader()),
                () -> all.stream().map(b -> b.cluster().raft().describe()).collect(Collectors.joining(" | ")));
    }
}
