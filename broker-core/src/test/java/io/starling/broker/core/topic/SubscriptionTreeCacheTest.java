package io.starling.broker.core.topic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** The per-thread match cache never answers with a subscription state that has changed since. */
class SubscriptionTreeCacheTest {
    private final SubscriptionTree<String, String> tree = new SubscriptionTree<>();

    private List<String> matches(String topic) {
        List<String> out = new ArrayList<>();
        tree.match(topic, (s, v) -> out.add(s + "=" + v));
        Collections.sort(out);
        return out;
    }

    @Test
    void repeatedMatch_givesTheSameAnswer() {
        tree.subscribe("a/+", "c1", "q0");
        tree.subscribe("a/#", "c2", "q1");
        assertThat(matches("a/b")).containsExactly("c1=q0", "c2=q1");
        assertThat(matches("a/b")).containsExactly("c1=q0", "c2=q1");
    }

    @Test
    void subscribeAfterACachedMatch_isSeenAtTheNextMatch() {
        assertThat(matches("a/b")).isEmpty();
        tree.subscribe("a/b", "c1", "q0");
        assertThat(matches("a/b")).containsExactly("c1=q0");
    }

    @Test
    void unsubscribeAfterACachedMatch_isSeenAtTheNextMatch() {
        tree.subscribe("a/b", "c1", "q0");
        assertThat(matches("a/b")).containsExactly("c1=q0");
        tree.unsubscribe("a/b", "c1");
        assertThat(matches("a/b")).isEmpty();
    }

    @Test
    void newOptionsOnTheSameFilter_areSeenAtTheNextMatch() {
        tree.subscribe("a/b", "c1", "q0");
        assertThat(matches("a/b")).containsExactly("c1=q0");
        tree.subscribe("a/b", "c1", "q2");
        assertThat(matches("a/b")).containsExactly("c1=q2");
    }

    @Test
    void aChangeOnAnotherFilter_retiresTheCachedAnswerToo() {
        tree.subscribe("x/y", "c1", "q0");
        assertThat(matches("x/y")).containsExactly("c1=q0");
        tree.subscribe("x/+", "c2", "q1");
        assertThat(matches("x/y")).containsExactly("c1=q0", "c2=q1");
    }

    @Test
    void moreTopicsThanTheCacheHolds_stillMatchRightly() {
        tree.subscribe("t/+", "c1", "q0");
        int topics = MatchCache.MAX_ANSWERS * 2 + 7;
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < topics; i++) {
                assertThat(matches("t/" + i)).containsExactly("c1=q0");
            }
        }
        tree.unsubscribe("t/+", "c1");
        assertThat(matches("t/1")).isEmpty();
        assertThat(matches("t/" + (topics - 1))).isEmpty();
    }

    @Test
    void aThreadWithACachedAnswer_seesAChangeMadeOnAnotherThread() throws Exception {
        ExecutorService loop = Executors.newSingleThreadExecutor();
        try {
            tree.subscribe("s/1", "c1", "q0");
            assertThat(loop.submit(() -> matches("s/1")).get()).containsExactly("c1=q0");
            tree.subscribe("s/#", "c2", "q1"); // on this thread
            assertThat(loop.submit(() -> matches("s/1")).get()).containsExactly("c1=q0", "c2=q1");
            tree.unsubscribe("s/1", "c1");
            assertThat(loop.submit(() -> matches("s/1")).get()).containsExactly("c2=q1");
        } finally {
            loop.shutdownNow();
        }
    }

    @Test
    void manyWildcardSubscribersOnManyTopics_keepTheCacheWithinItsTotalBound() {
        SubscriptionTree<Object, String> wide = new SubscriptionTree<>();
        for (int i = 0; i < 1_000; i++) {
            wide.subscribe("t/+", "s" + i, "q0");
        }
        for (int i = 0; i < 100; i++) {
            wide.subscribe("u/" + i, "u" + i, "q0");
        }
        int[] visits = {0};

        for (int i = 0; i < 8_000; i++) {
            wide.match("t/" + i, (s, v) -> visits[0]++);
            wide.match("u/" + (i % 100), (s, v) -> visits[0]++);
        }

        assertThat(visits[0]).isEqualTo(8_000 * 1_001);
        // Before: 8,192 answers of 1,000 pairs each per thread, about 64 MB.
        assertThat(wide.cachedPairs()).isLessThanOrEqualTo(MatchCache.MAX_PAIRS);
        assertThat(wide.cachedPairs()).as("the small answers are still cached").isPositive();
    }

    @Test
    void aSubscriberThatLeft_isNotKeptReachableByTheCacheOfAnotherThread() throws Exception {
        SubscriptionTree<Object, String> weakTree = new SubscriptionTree<>();
        ExecutorService loop = Executors.newSingleThreadExecutor();
        try {
            Object subscriber = new Object();
            java.lang.ref.WeakReference<Object> gone = new java.lang.ref.WeakReference<>(subscriber);
            weakTree.subscribe("a/+", subscriber, "q0");
            loop.submit(() -> weakTree.match("a/b", (s, v) -> { })).get(); // that loop caches the answer

            weakTree.unsubscribe("a/+", subscriber);
            subscriber = null;
            for (int i = 0; i < 20 && gone.get() != null; i++) {
                System.gc();
                Thread.sleep(10);
            }

            assertThat(gone.get()).as("the subscriber, once unsubscribed, after GC").isNull();
        } finally {
            loop.shutdownNow();
        }
    }
}
