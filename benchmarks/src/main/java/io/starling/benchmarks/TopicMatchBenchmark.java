package io.starling.benchmarks;

import io.starling.broker.core.topic.SubscriptionTree;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Matching a topic against the subscription tree with 10k, 100k and 1M subscriptions, shaped like an
 * IoT fleet: each device subscribes to its own command topic ({@code devices/D/cmd}), one in a
 * hundred to a wildcard over its group ({@code devices/+/cmd/G} style: {@code groups/G/+/status}),
 * and a few monitoring clients to {@code #}-style filters.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx8g")
public class TopicMatchBenchmark {
    @Param({"10000", "100000", "1000000"})
    public int subscriptions;

    private SubscriptionTree<Integer, Integer> tree;
    private String[] topics;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        tree = new SubscriptionTree<>();
        for (int i = 0; i < subscriptions; i++) {
            tree.subscribe("devices/" + i + "/cmd", i, 1);
            if (i % 100 == 0) {
                tree.subscribe("groups/" + (i / 100) + "/+/status", i, 1);
            }
        }
        tree.subscribe("monitor/#", -1, 0);
        tree.subscribe("+/+/+/alarm", -2, 0);
        SplittableRandom random = new SplittableRandom(7);
        topics = new String[1024];
        for (int i = 0; i < topics.length; i++) {
            int device = random.nextInt(subscriptions);
            topics[i] = i % 2 == 0 ? "devices/" + device + "/cmd" : "groups/" + (device / 100) + "/" + device + "/status";
        }
    }

    @Benchmark
    public void match(Blackhole bh) {
        String topic = topics[next++ & (topics.length - 1)];
        tree.match(topic, (subscriber, value) -> bh.consume(subscriber));
    }
}
