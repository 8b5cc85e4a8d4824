package io.starling.broker.core.topic;

import java.util.Arrays;
import java.util.HashMap;
import java.util.function.BiConsumer;

/**
 * One thread's recent answers of a {@link SubscriptionTree}: topic name → the (subscriber, value)
 * pairs that matched it, with the tree's generation at the time. An answer is used only while the
 * generation is unchanged.
 *
 * <p><b>Memory.</b> Bounded by what it holds, not only by how many topics: at most {@link #MAX_PAIRS}
 * pairs over all answers and {@link #MAX_ANSWERS} answers (past either the cache starts over, so a
 * stream of ever-new topics costs one walk each, as without a cache), and an answer of more than
 * {@link #MAX_ANSWER} pairs is not kept at all (a message to that many subscribers costs far more to
 * deliver than to walk the tree for). Without these, 1,000 wildcard subscribers and 8,000 topics held
 * 64 MB per thread.
 *
 * <p><b>Ended sessions.</b> A subscription change makes every answer useless, so the tree calls
 * {@link #retire} on every thread's cache: the answers are dropped at once, and a subscriber that
 * unsubscribed is not kept reachable by a loop that has not matched since.
 *
 * <p><b>Threading.</b> Owned by one thread (a thread local of the tree), except {@link #retire}, which
 * the tree calls from the thread that changes it, under its write lock. {@link #store} runs under the
 * read lock, so it never overlaps {@link #retire}; {@link #find} reads {@code answers} once, and an
 * answer it finds in a map retired meanwhile is refused by its generation.
 */
final class MatchCache<S, V> {
    /** Pairs kept over all answers: 256 KB of references per thread. */
    static final int MAX_PAIRS = 32_768;
    /** Answers kept, empty ones included. */
    static final int MAX_ANSWERS = 8192;
    /** Larger answers are walked each time. */
    static final int MAX_ANSWER = 256;

    /** Null when empty (after {@link #retire}). */
    private volatile HashMap<String, Matches<S, V>> answers;
    private int pairs; // in answers; owner thread, or retire() under the write lock
    private final Recorder<S, V> recorder = new Recorder<>();

    /** The answer for {@code topic} if it was recorded at {@code generation}, else null. */
    Matches<S, V> find(String topic, long generation) {
        HashMap<String, Matches<S, V>> current = answers;
        if (current == null) {
            return null;
        }
        Matches<S, V> m = current.get(topic);
        return m != null && m.generation == generation ? m : null;
    }

    /** A visitor that records one walk; read it back with {@link #store}. */
    BiConsumer<S, V> recorder() {
        recorder.size = 0;
        return recorder;
    }

    /** What the recorder saw, as the answer for {@code topic} at {@code generation}; kept if small enough. */
    Matches<S, V> store(String topic, long generation) {
        Matches<S, V> m = recorder.copy(generation);
        int size = m.size();
        if (size > MAX_ANSWER) {
            return m;
        }
        HashMap<String, Matches<S, V>> current = answers;
        if (current == null || pairs + size > MAX_PAIRS || current.size() >= MAX_ANSWERS) {
            current = new HashMap<>();
            answers = current;
            pairs = 0;
        }
        Matches<S, V> replaced = current.put(topic, m);
        pairs += size - (replaced == null ? 0 : replaced.size());
        return m;
    }

    /** Drops every answer; see the class notes for the threads. */
    void retire() {
        if (answers != null) {
            answers = null;
            pairs = 0;
        }
    }

    /** The pairs held over all answers. */
    int pairs() {
        return pairs;
    }

    /** A recorded answer: the pairs in visit order. Immutable once stored. */
    static final class Matches<S, V> {
        final long generation;
        private final Object[] pairs; // subscriber, value, subscriber, value, ...

        Matches(long generation, Object[] pairs) {
            this.generation = generation;
            this.pairs = pairs;
        }

        int size() {
            return pairs.length / 2;
        }

        @SuppressWarnings("unchecked")
        void replay(BiConsumer<? super S, ? super V> visitor) {
            for (int i = 0; i < pairs.length; i += 2) {
                visitor.accept((S) pairs[i], (V) pairs[i + 1]);
            }
        }
    }

    private static final class Recorder<S, V> implements BiConsumer<S, V> {
        private static final Object[] NONE = new Object[0];
        Object[] pairs = new Object[16];
        int size;

        @Override
        public void accept(S subscriber, V value) {
            if (size + 2 > pairs.length) {
                pairs = Arrays.copyOf(pairs, pairs.length * 2);
            }
            pairs[size++] = subscriber;
            pairs[size++] = value;
        }

        Matches<S, V> copy(long generation) {
            Matches<S, V> m = new Matches<>(generation, size == 0 ? NONE : Arrays.copyOf(pairs, size));
            Arrays.fill(pairs, 0, size, null); // hold no session past the walk
            if (pairs.length > 2 * MAX_ANSWER) {
                pairs = new Object[16]; // nor the room a huge answer needed
            }
            return m;
        }
    }
}
