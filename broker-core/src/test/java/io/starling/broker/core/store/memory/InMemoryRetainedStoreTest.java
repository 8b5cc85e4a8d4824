package io.starling.broker.core.store.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.testing.Payloads;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.QoS;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The in-memory retained store: one message per topic, and who holds which reference. */
class InMemoryRetainedStoreTest {
    private final InMemoryRetainedStore store = new InMemoryRetainedStore();
    private final Payloads payloads = new Payloads();

    @AfterEach
    void tearDown() {
        store.close();
        payloads.assertAllReleased();
    }

    private Message message(String topic, String payload) {
        return new Message(topic, QoS.AT_LEAST_ONCE, true, payloads.of(payload), Properties.EMPTY, "pub",
                Message.NEVER_EXPIRES);
    }

    private Message empty(String topic) {
        return new Message(topic, QoS.AT_MOST_ONCE, true, payloads.of(""), Properties.EMPTY, "pub",
                Message.NEVER_EXPIRES);
    }

    /** The payloads matching {@code filter}, releasing the references the store handed out. */
    private List<String> match(String filter) {
        List<String> found = new ArrayList<>();
        store.match(filter, m -> {
            found.add(m.topic() + "=" + m.payload().toString(StandardCharsets.UTF_8));
            m.release();
            return true;
        });
        return found;
    }

    @Test
    void put_storesTheMessageAndTakesTheCallersReference() {
        Message m = message("a/b", "x");

        store.put(m);

        assertThat(store.size()).isOne();
        assertThat(m.payload().refCnt()).isOne();
        assertThat(match("a/b")).containsExactly("a/b=x");
    }

    @Test
    void put_replacesAndReleasesThePreviousMessageOfTheTopic() {
        Message old = message("a/b", "old");
        store.put(old);

        store.put(message("a/b", "new"));

        assertThat(old.payload().refCnt()).isZero();
        assertThat(store.size()).isOne();
        assertThat(match("a/b")).containsExactly("a/b=new");
    }

    @Test
    void emptyPayload_deletesTheTopicAndIsReleased() {
        Message old = message("a/b", "old");
        store.put(old);
        Message delete = empty("a/b");

        store.put(delete);

        assertThat(store.size()).isZero();
        assertThat(old.payload().refCnt()).isZero();
        assertThat(delete.payload().refCnt()).isZero();
        assertThat(match("#")).isEmpty();
    }

    @Test
    void emptyPayloadForAnUnknownTopic_isReleased() {
        Message delete = empty("nothing/here");

        store.put(delete);

        assertThat(delete.payload().refCnt()).isZero();
        assertThat(store.size()).isZero();
    }

    @Test
    void match_visitsMatchingTopicsWithAReferenceEach() {
        store.put(message("a/b", "1"));
        store.put(message("a/c", "2"));
        store.put(message("a/b/c", "3"));
        store.put(message("b", "4"));

        List<Message> held = new ArrayList<>();
        store.match("a/+", held::add);

        assertThat(held).extracting(Message::topic).containsExactlyInAnyOrder("a/b", "a/c");
        held.forEach(m -> assertThat(m.payload().refCnt()).isEqualTo(2));
        held.forEach(Message::release);
        assertThat(match("a/#")).containsExactlyInAnyOrder("a/b=1", "a/c=2", "a/b/c=3");
        assertThat(match("#")).hasSize(4);
        assertThat(match("x/#")).isEmpty();
    }

    @Test
    void leadingWildcards_doNotMatchDollarTopics() {
        store.put(message("$SYS/uptime", "1"));
        store.put(message("x", "2"));

        assertThat(match("#")).containsExactly("x=2");
        assertThat(match("+/uptime")).isEmpty();
        assertThat(match("$SYS/#")).containsExactly("$SYS/uptime=1");
    }

    @Test
    void match_costsWhatTheFilterReaches_notTheWholeStore() {
        for (int i = 0; i < 100_000; i++) { // plain heap payloads: quick to make, released by close()
            store.put(new Message("t/" + i + "/v", QoS.AT_MOST_ONCE, true, Unpooled.wrappedBuffer(new byte[] {'x'}),
                    Properties.EMPTY, "pub", Message.NEVER_EXPIRES));
        }

        long start = System.nanoTime();
        int found = 0;
        for (int i = 0; i < 3_000; i++) {
            found += match("t/" + i + "/+").size() + match("u/" + i + "/#").size();
        }
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(found).isEqualTo(3_000);
        // A scan of every retained topic per filter took seconds here; a trie walk takes microseconds.
        assertThat(millis).as("6,000 filters against 100,000 retained topics, in ms").isLessThan(1_000);
    }

    @Test
    void match_stopsWhenTheVisitorSaysSo() {
        for (int i = 0; i < 10; i++) {
            store.put(message("s/" + i, "x"));
        }
        int[] seen = {0};

        store.match("s/#", m -> {
            m.release();
            return ++seen[0] < 3;
        });

        assertThat(seen[0]).isEqualTo(3);
    }

    @Test
    void hashFilter_matchesTheParentLevelAndEverythingBelow() {
        store.put(message("a", "1"));
        store.put(message("a/b", "2"));
        store.put(message("a/b/c", "3"));
        store.put(message("ab", "4"));
        store.put(message("/lead", "5"));

        assertThat(match("a/#")).containsExactlyInAnyOrder("a=1", "a/b=2", "a/b/c=3");
        assertThat(match("a/+/#")).containsExactlyInAnyOrder("a/b=2", "a/b/c=3");
        assertThat(match("+/lead")).containsExactly("/lead=5");
        assertThat(match("+")).containsExactlyInAnyOrder("a=1", "ab=4");
    }

    @Test
    void deletingATopic_prunesItsLevelsWhileKeepingItsNeighbours() {
        store.put(message("a/b/c", "1"));
        store.put(message("a/b", "2"));
        store.put(empty("a/b/c"));

        assertThat(match("#")).containsExactly("a/b=2");
        store.put(message("a/b/c", "3"));
        assertThat(match("a/b/c")).containsExactly("a/b/c=3");
        assertThat(store.bytes()).isEqualTo(2);
    }

    @Test
    void topics_listsLevelByLevelInOrder_withoutTakingReferences_andStopsWhenAsked() {
        store.put(message("b/x", "22"));
        store.put(message("a", "1"));
        store.put(message("$SYS/up", "333"));
        store.put(message("a/c", "1"));
        store.put(message("a/b", "1"));

        List<String> seen = new ArrayList<>();
        store.topics((topic, bytes) -> seen.add(topic + ":" + bytes));
        List<String> firstTwo = new ArrayList<>();
        store.topics((topic, bytes) -> firstTwo.add(topic) && firstTwo.size() < 2);

        assertThat(seen).containsExactly("$SYS/up:3", "a:1", "a/b:1", "a/c:1", "b/x:2");
        assertThat(firstTwo).containsExactly("$SYS/up", "a");
        payloads.created().forEach(p -> assertThat(p.refCnt()).isOne());
    }

    @Test
    void close_releasesEveryStoredMessage() {
        Message a = message("a", "1");
        Message b = message("b", "2");
        store.put(a);
        store.put(b);

        store.close();

        assertThat(a.payload().refCnt()).isZero();
        assertThat(b.payload().refCnt()).isZero();
        assertThat(store.size()).isZero();
    }

    @Test
    void concurrentPutsAndMatches_neverHandOutAReleasedMessage() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int writer = w;
                work.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 2000; i++) {
                        store.put(i % 7 == 0 ? empty("t/" + (i % 5)) : message("t/" + (i % 5), writer + "-" + i));
                    }
                    return null;
                }));
            }
            for (int r = 0; r < 2; r++) {
                work.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 2000; i++) {
                        store.match("t/+", m -> {
                            ByteBuf p = m.payload();
                            assertThat(p.refCnt()).isPositive();
                            assertThat(p.readableBytes()).isPositive();
                            m.release();
                            return true;
                        });
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : work) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.size()).isBetween(0, 5);
    }
}
