package io.starling.broker.core.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SubscriptionTreeTest {

    private final SubscriptionTree<String, String> tree = new SubscriptionTree<>();

    /** Subscribes "client" with the filter itself as value, so matches name their filter. */
    private void sub(String filter) {
        tree.subscribe(filter, "client", filter);
    }

    /** The values (filters) of every visit for {@code topic}, sorted. */
    private List<String> matches(String topic) {
        List<String> out = new ArrayList<>();
        tree.match(topic, (s, v) -> out.add(v));
        Collections.sort(out);
        return out;
    }

    @Test
    void replace_putsTheReplacementInTheSubscribersPlace_inOneWrite() {
        tree.subscribe("a/#", "moved", "v");
        long before = tree.generation();
        List<String> seen = new ArrayList<>();
        tree.watch(new SubscriptionTree.Watcher<String>() {
            @Override
            public void added(String filter, String subscriber) {
                seen.add("+" + subscriber);
            }

            @Override
            public void removed(String filter, String subscriber) {
                seen.add("-" + subscriber);
            }
        });
        seen.clear();

        assertThat(tree.replace("a/#", "moved", "node", "n")).isTrue();

        List<String> subscribers = new ArrayList<>();
        long at = tree.match("a/b", (s, v) -> subscribers.add(s + "=" + v));
        assertThat(subscribers).containsExactly("node=n");
        assertThat(at).isGreaterThan(before);
        assertThat(seen).containsExactly("+node", "-moved");
    }

    @Test
    void replace_keepsAReplacementAlreadyThere_andIgnoresAnAbsentSubscriber() {
        tree.subscribe("a/#", "moved", "v");
        tree.subscribe("a/#", "node", "own");

        assertThat(tree.replace("a/#", "moved", "node", "n")).isTrue();
        assertThat(tree.replace("a/#", "moved", "node", "n")).isFalse();
        assertThat(tree.replace("x", "moved", "node", "n")).isFalse();

        List<String> subscribers = new ArrayList<>();
        tree.match("a/b", (s, v) -> subscribers.add(s + "=" + v));
        assertThat(subscribers).containsExactly("node=own");
        assertThat(matches("x")).isEmpty();
    }

    @Test
    void exactFilter_matchesOnlyThatTopic() {
        sub("a/b");
        assertThat(matches("a/b")).containsExactly("a/b");
        assertThat(matches("a")).isEmpty();
        assertThat(matches("a/b/c")).isEmpty();
        assertThat(matches("a/c")).isEmpty();
    }

    @Test
    void emptyLevels_areLevelsLikeAnyOther() {
        sub("a//b");
        sub("/a");
        assertThat(matches("a//b")).containsExactly("a//b");
        assertThat(matches("a/b")).isEmpty();
        assertThat(matches("/a")).containsExactly("/a");
        assertThat(matches("a")).isEmpty();
    }

    @Test
    void plus_matchesExactlyOneLevel() {
        sub("a/+/c");
        assertThat(matches("a/b/c")).containsExactly("a/+/c");
        assertThat(matches("a/c")).isEmpty();
        assertThat(matches("a/b/x/c")).isEmpty();
    }

    @Test
    void plus_matchesAnEmptyLevel() {
        sub("a/+/b");
        sub("+/x");
        assertThat(matches("a//b")).containsExactly("a/+/b");
        assertThat(matches("/x")).containsExactly("+/x");
    }

    @Test
    void trailingPlus_needsTheLevel_butItMayBeEmpty() {
        sub("a/+");
        assertThat(matches("a")).isEmpty();
        assertThat(matches("a/")).containsExactly("a/+");
        assertThat(matches("a/b")).containsExactly("a/+");
    }

    @Test
    void hash_matchesParentAndAllLevelsBelow() {
        sub("a/#");
        assertThat(matches("a")).containsExactly("a/#");
        assertThat(matches("a/")).containsExactly("a/#");
        assertThat(matches("a/b")).containsExactly("a/#");
        assertThat(matches("a/b/c/d")).containsExactly("a/#");
        assertThat(matches("b")).isEmpty();
        assertThat(matches("ab")).isEmpty();
    }

    @Test
    void hashAlone_matchesEverythingExceptDollarTopics() {
        sub("#");
        assertThat(matches("a")).containsExactly("#");
        assertThat(matches("/")).containsExactly("#");
        assertThat(matches("a/b/c")).containsExactly("#");
        assertThat(matches("a/$SYS")).containsExactly("#");
        assertThat(matches("$SYS")).isEmpty();
        assertThat(matches("$SYS/broker/uptime")).isEmpty();
    }

    @Test
    void leadingPlus_doesNotMatchDollarTopics() {
        sub("+/x");
        sub("+/#");
        sub("+");
        assertThat(matches("$SYS/x")).isEmpty();
        assertThat(matches("$SYS")).isEmpty();
        assertThat(matches("a/x")).containsExactly("+/#", "+/x");
    }

    @Test
    void dollarFilters_matchDollarTopics() {
        sub("$SYS/#");
        sub("$SYS/+");
        sub("$SYS/a");
        assertThat(matches("$SYS/a")).containsExactly("$SYS/#", "$SYS/+", "$SYS/a");
        assertThat(matches("$SYS")).containsExactly("$SYS/#");
        assertThat(matches("SYS/a")).isEmpty();
    }

    @Test
    void overlappingFilters_visitTheSubscriberOncePerFilter() {
        tree.subscribe("a/+", "s1", "plus");
        tree.subscribe("a/#", "s1", "hash");
        tree.subscribe("a/b", "s2", "exact");
        List<String> visits = new ArrayList<>();
        tree.match("a/b", (s, v) -> visits.add(s + "=" + v));
        assertThat(visits).containsExactlyInAnyOrder("s1=plus", "s1=hash", "s2=exact");
    }

    @Test
    void resubscribe_replacesValueAndReturnsPrevious() {
        assertThat(tree.subscribe("a/b", "s1", "qos0")).isNull();
        assertThat(tree.subscribe("a/b", "s1", "qos1")).isEqualTo("qos0");
        assertThat(tree.size()).isEqualTo(1);
        List<String> visits = new ArrayList<>();
        tree.match("a/b", (s, v) -> visits.add(v));
        assertThat(visits).containsExactly("qos1");
    }

    @Test
    void unsubscribe_removesOnlyThatSubscriberAndFilter() {
        tree.subscribe("a/+", "s1", "v");
        tree.subscribe("a/+", "s2", "v");
        assertThat(tree.unsubscribe("a/+", "s1")).isTrue();
        assertThat(tree.unsubscribe("a/+", "s1")).isFalse();
        assertThat(tree.unsubscribe("a/b", "s2")).isFalse(); // names a filter, not a match
        assertThat(tree.unsubscribe("x/y/z", "s2")).isFalse();
        List<String> visits = new ArrayList<>();
        tree.match("a/b", (s, v) -> visits.add(s));
        assertThat(visits).containsExactly("s2");
        assertThat(tree.size()).isEqualTo(1);
    }

    @Test
    void unsubscribe_prunesEmptyNodes() {
        String[] filters = {"a/b/c", "a/b", "a/+/#", "#", "+", "$SYS/#", "a//b", "/"};
        for (String f : filters) {
            tree.subscribe(f, "s1", "v");
            tree.subscribe(f, "s2", "v");
        }
        assertThat(tree.size()).isEqualTo(2 * filters.length);
        assertThat(tree.nodeCount()).isPositive();
        for (String f : filters) {
            assertThat(tree.unsubscribe(f, "s1")).isTrue();
        }
        assertThat(matches("a/b")).hasSize(3); // s2 on a/b, a/+/# and #
        for (String f : filters) {
            assertThat(tree.unsubscribe(f, "s2")).isTrue();
        }
        assertThat(tree.size()).isZero();
        assertThat(tree.nodeCount()).isZero();
    }

    @Test
    void unsubscribingAParent_keepsTheChildPath() {
        tree.subscribe("a", "s", "v");
        tree.subscribe("a/b/c", "s", "v");
        assertThat(tree.unsubscribe("a", "s")).isTrue();
        assertThat(tree.nodeCount()).isEqualTo(3);
        assertThat(matches("a/b/c")).containsExactly("v");
    }

    @Test
    void invalidFilter_isRejectedOnSubscribe() {
        assertThatThrownBy(() -> tree.subscribe("a/#/b", "s", "v"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tree.subscribe("a+", "s", "v"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tree.subscribe("", "s", "v"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(tree.size()).isZero();
        assertThat(tree.nodeCount()).isZero();
    }

    @Test
    void tenThousandLevels_doNotOverflowTheStack() {
        int levels = 10_000;
        String topic = String.join("/", Collections.nCopies(levels, "x"));
        String plusFilter = String.join("/", Collections.nCopies(levels, "+"));
        String plusHashFilter = plusFilter.substring(0, plusFilter.length() - 1) + "#";
        // Short values keep failure messages readable.
        tree.subscribe("#", "client", "hash");
        tree.subscribe(topic, "client", "exact");
        tree.subscribe(plusFilter, "client", "plus");
        tree.subscribe(plusHashFilter, "client", "plusHash");
        assertThat(matches(topic)).containsExactly("exact", "hash", "plus", "plusHash");
        assertThat(matches(topic + "/y")).containsExactly("hash", "plusHash");
        assertThat(tree.unsubscribe(topic, "client")).isTrue();
        assertThat(tree.unsubscribe(plusFilter, "client")).isTrue();
        assertThat(tree.nodeCount()).isEqualTo(levels + 1); // "#" and the "+/.../+/#" path
        assertThat(tree.unsubscribe(plusHashFilter, "client")).isTrue();
        assertThat(tree.unsubscribe("#", "client")).isTrue();
        assertThat(tree.nodeCount()).isZero();
    }

    @Test
    void randomFiltersAndTopics_matchLikeBruteForce() {
        long base = Long.getLong("starling.seed", System.nanoTime());
        for (int round = 0; round < 50; round++) {
            long seed = base + round;
            checkAgainstBruteForce(new Random(seed), "seed=" + seed + " (rerun with -Dstarling.seed=" + seed + ")");
        }
    }

    private static void checkAgainstBruteForce(Random random, String seed) {
        SubscriptionTree<Integer, String> trie = new SubscriptionTree<>();
        List<String[]> live = new ArrayList<>(); // {subscriber, filter}
        for (int i = 0; i < 200; i++) {
            String filter = RandomTopics.filter(random);
            int subscriber = random.nextInt(5);
            trie.subscribe(filter, subscriber, filter);
            live.removeIf(e -> e[0].equals(Integer.toString(subscriber)) && e[1].equals(filter));
            live.add(new String[] {Integer.toString(subscriber), filter});
        }
        for (int i = 0; i < 60; i++) { // churn: unsubscribe some, including never-subscribed ones
            String[] victim = random.nextBoolean() && !live.isEmpty()
                    ? live.get(random.nextInt(live.size()))
                    : new String[] {Integer.toString(random.nextInt(5)), RandomTopics.filter(random)};
            boolean expected = live.removeIf(e -> e[0].equals(victim[0]) && e[1].equals(victim[1]));
            assertThat(trie.unsubscribe(victim[1], Integer.valueOf(victim[0]))).as(seed).isEqualTo(expected);
        }
        assertThat(trie.size()).as(seed).isEqualTo(live.size());
        int matched = 0;
        for (int i = 0; i < 300; i++) {
            String topic = RandomTopics.topic(random);
            List<String> expected = new ArrayList<>();
            for (String[] e : live) {
                if (RandomTopics.bruteForceMatches(e[1], topic)) {
                    expected.add(e[0] + " " + e[1]);
                }
            }
            List<String> actual = new ArrayList<>();
            trie.match(topic, (s, f) -> actual.add(s + " " + f));
            assertThat(actual).as(seed + " topic=" + topic).containsExactlyInAnyOrderElementsOf(expected);
            matched += expected.size();
        }
        assertThat(matched).as(seed + ": the round compared nothing").isPositive();
        for (String[] e : live) {
            assertThat(trie.unsubscribe(e[1], Integer.valueOf(e[0]))).as(seed).isTrue();
        }
        assertThat(trie.size()).as(seed).isZero();
        assertThat(trie.nodeCount()).as(seed).isZero();
    }

    /** Random topics and filters over a small alphabet of levels, and a spec-literal matcher. */
    private static final class RandomTopics {

        private static final String[] LEVELS = {"a", "b", "", "$SYS", "$x"};

        static String topic(Random random) {
            int n = 1 + random.nextInt(4);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    sb.append('/');
                }
                sb.append(LEVELS[random.nextInt(LEVELS.length)]);
            }
            return sb.length() == 0 ? "a" : sb.toString(); // the empty topic is invalid
        }

        static String filter(Random random) {
            int n = 1 + random.nextInt(4);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    sb.append('/');
                }
                int pick = random.nextInt(LEVELS.length + 2);
                if (i == n - 1 && pick == LEVELS.length + 1) {
                    sb.append('#');
                } else if (pick >= LEVELS.length) {
                    sb.append('+');
                } else {
                    sb.append(LEVELS[pick]);
                }
            }
            return sb.length() == 0 ? "a" : sb.toString(); // the empty filter is invalid
        }

        /** MQTT §4.7 read literally: level by level, with the '$' rule [MQTT-4.7.2-1]. */
        static boolean bruteForceMatches(String filter, String topic) {
            String[] f = filter.split("/", -1);
            String[] t = topic.split("/", -1);
            if (topic.startsWith("$") && (f[0].equals("+") || f[0].equals("#"))) {
                return false;
            }
            for (int i = 0; i < f.length; i++) {
                if (f[i].equals("#")) {
                    return true; // matches the parent level and any number of child levels
                }
                if (i >= t.length) {
                    return false;
                }
                if (!f[i].equals("+") && !f[i].equals(t[i])) {
                    return false;
                }
            }
            return f.length == t.length;
        }
    }
}
