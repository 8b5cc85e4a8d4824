package io.starling.broker.core.topic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link TopicFilter#matches}, the one-off matcher used for retained messages, against the spec's
 * examples (3.1.1 §4.7) and against {@link SubscriptionTree}, which must give the same answers.
 */
class TopicFilterMatchesTest {

    @ParameterizedTest(name = "''{0}'' matches ''{1}''")
    @CsvSource(delimiter = '|', value = {
        "a/b        | a/b",
        "#          | a",
        "#          | a/b/c",
        "#          | /",
        "a/#        | a",
        "a/#        | a/b",
        "a/#        | a/b/c",
        "a/#        | a/",
        "+          | a",
        "+/+        | /a",
        "+/+        | a/",
        "/+         | /a",
        "+/b        | a/b",
        "a/+/c      | a/b/c",
        "a/+/c      | a//c",
        "+/+/#      | a/b",
        "a//b       | a//b",
        "$SYS/#     | $SYS/x",
        "$SYS/+     | $SYS/x",
        "$SYS       | $SYS",
        "+/#        | a",
    })
    void matches(String filter, String topic) {
        assertThat(TopicFilter.matches(filter.trim(), topic.trim())).isTrue();
    }

    @ParameterizedTest(name = "''{0}'' does not match ''{1}''")
    @CsvSource(delimiter = '|', value = {
        "a/b        | a",
        "a/b        | a/b/c",
        "a/b        | a/c",
        "a/b        | A/B",
        "a          | a/",
        "+          | a/b",
        "+          | /a",
        "a/+        | a",
        "a/+        | a/b/c",
        "a/+/c      | a/b/d",
        "a/#        | ab",
        "a/#        | b/a",
        "/+         | a",
        "#          | $SYS/x",
        "+/x        | $SYS/x",
        "+          | $SYS",
        "+/#        | $SYS/x",
        "a//b       | a/b",
    })
    void doesNotMatch(String filter, String topic) {
        assertThat(TopicFilter.matches(filter.trim(), topic.trim())).isFalse();
    }

    @Test
    void matches_agreesWithTheSubscriptionTree() {
        List<String> filters = List.of("#", "+", "a", "a/#", "a/+", "+/b", "a/b", "a/+/c", "+/+", "/#", "/+", "a//b",
                "+/+/#", "a/b/#", "$SYS/#", "$SYS/+", "+/#", "a/", "a/+/", "//");
        List<String> topics = List.of("a", "b", "a/b", "a/c", "a/b/c", "a//b", "/a", "a/", "/", "//", "$SYS",
                "$SYS/x", "$SYS/x/y", "b/b", "a/b/", "x/y/z");
        SubscriptionTree<String, String> tree = new SubscriptionTree<>();
        filters.forEach(f -> tree.subscribe(f, f, f));

        for (String topic : topics) {
            List<String> fromTree = new ArrayList<>();
            tree.match(topic, (s, f) -> fromTree.add(f));
            List<String> fromMatches = filters.stream().filter(f -> TopicFilter.matches(f, topic)).toList();
            assertThat(fromTree).as("filters matching '%s'", topic).containsExactlyInAnyOrderElementsOf(fromMatches);
        }
    }
}
