package io.starling.broker.core.topic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SubscriptionTreeWatchTest {
    private final SubscriptionTree<String, String> tree = new SubscriptionTree<>();
    private final List<String> seen = new ArrayList<>();
    private final SubscriptionTree.Watcher<String> watcher = new SubscriptionTree.Watcher<>() {
        @Override
        public void added(String filter, String subscriber) {
            seen.add("+" + filter + " " + subscriber);
        }

        @Override
        public void removed(String filter, String subscriber) {
            seen.add("-" + filter + " " + subscriber);
        }
    };

    @Test
    void watch_firstTellsEverySubscriptionThereIs_withItsFilterAsGiven() {
        for (String f : List.of("a/b", "a/+/c", "#", "/x//", "$SYS/#", "+", "a")) {
            tree.subscribe(f, "s1", "v");
        }
        tree.subscribe("a/b", "s2", "v");

        tree.watch(watcher);

        assertThat(seen).containsExactlyInAnyOrder("+a/b s1", "+a/b s2", "+a/+/c s1", "+# s1", "+/x// s1",
                "+$SYS/# s1", "++ s1", "+a s1");
    }

    @Test
    void watcher_isToldOfAddedAndRemovedSubscriptions_notOfNewValues() {
        tree.watch(watcher);

        tree.subscribe("a/#", "s1", "qos0");
        tree.subscribe("a/#", "s1", "qos1"); // new options: the same subscription
        tree.subscribe("a/#", "s2", "qos0");
        tree.unsubscribe("a/#", "s1");
        tree.unsubscribe("a/#", "s1"); // not there any more: nothing
        tree.unsubscribe("b", "s1");

        assertThat(seen).containsExactly("+a/# s1", "+a/# s2", "-a/# s1");
    }

    @Test
    void unwatch_stopsTheChanges() {
        tree.watch(watcher);
        tree.unwatch(watcher);

        tree.subscribe("a", "s1", "v");

        assertThat(seen).isEmpty();
    }
}
