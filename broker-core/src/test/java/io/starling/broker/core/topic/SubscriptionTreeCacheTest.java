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
        int topics = MatchCache.CAPACITY * 2 + 7;
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
}
