package io.starling.broker.core.topic;

import java.util.Arrays;
import java.util.HashMap;
import java.util.function.BiConsumer;

/**
 * One thread's recent answers of a {@link SubscriptionTree}: topic name → the (subscriber, value)
 * pairs that matched it, with the tree's generation at the time. An answer is used only while the
 * generation is unchanged, so a subscription change anywhere retires every answer at once.
 *
 * <p>Bounded: past {@link #CAPACITY} topics the cache starts over, so a stream of ever-new topics
 * costs one walk each, as without a cache, plus the recording. A retired answer keeps its
 * subscribers reachable until its topic is matched again or the cache starts over. Threading: one thread (a
 * thread local of the tree).
 */
final class MatchCache<S, V> {
    static final int CAPACITY = 8192;

    private final HashMap<String, Matches<S, V>> answers = new HashMap<>();
    private final Recorder<S, V> recorder = new Recorder<>();

    /** The answer for {@code topic} if it was recorded at {@code generation}, else null. */
    Matches<S, V> find(String topic, long generation) {
        Matches<S, V> m = answers.get(topic);
        return m != null && m.generation == generation ? m : null;
    }

    /** A visitor that records one walk; read it back with {@link #store}. */
    BiConsumer<S, V> recorder() {
        recorder.size = 0;
        return recorder;
    }

    /** Keeps what the recorder saw as the answer for {@code topic} at {@code generation}. */
    Matches<S, V> store(String topic, long generation) {
        Matches<S, V> m = recorder.copy(generation);
        if (answers.size() >= CAPACITY) {
            answers.clear();
        }
        answers.put(topic, m);
        return m;
    }

    /** A recorded answer: the pairs in visit order. Immutable once stored. */
    static final class Matches<S, V> {
        final long generation;
        private final Object[] pairs; // subscriber, value, subscriber, value, ...

        Matches(long generation, Object[] pairs) {
            this.generation = generation;
            this.pairs = pairs;
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
            return m;
        }
    }
}
