package io.starling.broker.core.topic;

import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiConsumer;

/**
 * The subscriptions of the broker, as a trie of topic levels, answering "who is subscribed to this
 * topic name?" (MQTT 3.1.1 / 5.0 §4.7).
 *
 * <p><b>Shape.</b> Each node is one filter level. Literal levels are children keyed by the level
 * string; {@code +} and {@code #} have their own fields, so matching a topic level costs one hash
 * lookup plus two field reads, whatever the number of subscriptions (the layout of nats-server's
 * {@code sublist.go}: {@code level{nodes, pwc, fwc}}). A node holds the subscribers whose filter
 * ends there, each with an opaque value {@code V} (the subscription options).
 *
 * <p><b>{@code $} topics.</b> Filters whose first level starts with {@code $} live under their own
 * root, and so do the topics matched against them. That root never has wildcard children, so a
 * filter starting with {@code +} or {@code #} cannot match {@code $SYS/...} [MQTT-4.7.2-1] without
 * any check on the hot path.
 *
 * <p><b>Depth.</b> Every walk is iterative (a frontier of nodes per level, not recursion), so a
 * topic or filter with tens of thousands of levels costs time, not stack. Callers still cap levels
 * ({@link TopicName#invalidReason}, {@link TopicFilter#invalidReason}) to bound that time.
 *
 * <p><b>Pruning.</b> {@link #unsubscribe} removes nodes left without subscribers or children, so
 * memory follows the live subscriptions, not their history.
 *
 * <p><b>Threading.</b> Safe for use from any thread: a {@link ReentrantReadWriteLock} guards the
 * whole trie; {@link #subscribe} and {@link #unsubscribe} take the write lock and bump a generation.
 * {@link #match} first asks its thread's {@link MatchCache}: a topic matched before, with no
 * subscription change since (same generation), is answered from the cache without the lock, so the
 * steady state of a broker (few subscription changes, many messages on the same topics) shares no
 * cache line between event loops. A miss walks the trie under the read lock and records the answer.
 * A change empties every thread's cache (see {@link MatchCache} for its bounds and why).
 * The visitor must be short (collect, don't write to the network) and must not call
 * {@code subscribe}/{@code unsubscribe} on this tree.
 *
 * <p><b>Watching.</b> {@link #watch} tells a listener of every subscription added or removed (the
 * cluster's route table announces this node's filters from it); without a watcher it costs one empty
 * list check per change.
 *
 * <p>Shared subscriptions ({@code $share/...}) are resolved by the broker above this tree, which
 * subscribes the inner filter; a {@code $share/...} string given here is just a literal filter.
 *
 * @param <S> the subscriber key (the broker uses its session); compared with equals/hashCode
 * @param <V> the subscription's value (options), opaque to the tree; never null
 */
public final class SubscriptionTree<S, V> {

    private static final String PLUS = "+";
    private static final String HASH = "#";

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Node<S, V> root = new Node<>(null, null);
    private final Node<S, V> dollarRoot = new Node<>(null, null);
    private int size; // guarded by lock
    /** Bumped (under the write lock) by every change; a cached match is good while it is unchanged. */
    private volatile long generation;
    /** Netty's thread local: an array index on the event loops, not a hash lookup per message. */
    private final FastThreadLocal<MatchCache<S, V>> caches = new FastThreadLocal<>() {
        @Override
        protected MatchCache<S, V> initialValue() {
            MatchCache<S, V> cache = new MatchCache<>();
            everyCache.add(cache);
            return cache;
        }
    };
    /** Every thread's cache, to retire on a change (one per thread that ever matched: the loops, a timer). */
    private final CopyOnWriteArrayList<MatchCache<S, V>> everyCache = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<Watcher<? super S>> watchers = new CopyOnWriteArrayList<>();

    /**
     * Told of each (filter, subscriber) subscription added and removed; a new value for an existing
     * subscription is no change here. Called under the tree's write lock, so in the tree's own order
     * of changes, from whichever thread made the change: it must be short (hand the change to a
     * thread of its own) and must not call back into the tree.
     */
    public interface Watcher<S> {
        void added(String filter, S subscriber);

        void removed(String filter, S subscriber);
    }

    /**
     * Starts telling {@code watcher} of changes, after telling it ({@link Watcher#added}) of every
     * subscription there is now, atomically: it misses none and sees none twice.
     */
    public void watch(Watcher<? super S> watcher) {
        lock.writeLock().lock();
        try {
            forEachSubscription(watcher);
            watchers.add(watcher);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Stops telling {@code watcher} of changes. */
    public void unwatch(Watcher<? super S> watcher) {
        watchers.remove(watcher);
    }

    /**
     * Adds {@code subscriber} on {@code filter}, or replaces its value if it already has that
     * exact filter [MQTT-3.8.4-3].
     *
     * @return the previous value, or {@code null} if this is a new subscription
     * @throws IllegalArgumentException if {@code filter} is not a valid topic filter
     */
    public V subscribe(String filter, S subscriber, V value) {
        Objects.requireNonNull(subscriber, "subscriber");
        Objects.requireNonNull(value, "value");
        String reason = TopicFilter.invalidReason(filter, Integer.MAX_VALUE);
        if (reason != null) {
            throw new IllegalArgumentException(reason + ": " + filter);
        }
        lock.writeLock().lock();
        try {
            Node<S, V> node = rootFor(filter);
            int from = 0;
            while (true) {
                int slash = filter.indexOf('/', from);
                int end = slash < 0 ? filter.length() : slash;
                node = node.childOrCreate(filter.substring(from, end));
                if (slash < 0) {
                    break;
                }
                from = slash + 1;
            }
            if (node.subscribers == null) {
                node.subscribers = new LinkedHashMap<>(4);
            }
            V previous = node.subscribers.put(subscriber, value);
            if (previous == null) {
                size++;
                for (Watcher<? super S> w : watchers) {
                    w.added(filter, subscriber);
                }
            }
            changed(); // a new value (options) changes the answer too
            return previous;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Puts {@code replacement} (with {@code value}) in {@code subscriber}'s place on exactly {@code filter},
     * in one write: a match sees one or the other, never both and never neither (a cluster moving a
     * session's rows to the node it went to). Keeps {@code replacement}'s value if it has the filter already.
     *
     * @return whether {@code subscriber} had the filter (if not, nothing changes)
     */
    public boolean replace(String filter, S subscriber, S replacement, V value) {
        lock.writeLock().lock(); // reentrant: subscribe and unsubscribe take it again
        try {
            if (!contains(filter, subscriber)) {
                return false;
            }
            if (!contains(filter, replacement)) {
                subscribe(filter, replacement, value);
            }
            return unsubscribe(filter, subscriber);
        } finally {
            lock.writeLock().unlock();
        }
    }

    private boolean contains(String filter, S subscriber) {
        Node<S, V> node = nodeOf(filter);
        return node != null && node.subscribers != null && node.subscribers.containsKey(subscriber);
    }

    /** The node of exactly {@code filter}, or null when the tree has none. Under the lock. */
    private Node<S, V> nodeOf(String filter) {
        Node<S, V> node = rootFor(filter);
        int from = 0;
        while (node != null) {
            int slash = filter.indexOf('/', from);
            int end = slash < 0 ? filter.length() : slash;
            node = node.child(filter.substring(from, end));
            if (slash < 0) {
                break;
            }
            from = slash + 1;
        }
        return node;
    }

    /**
     * Removes {@code subscriber}'s subscription on exactly {@code filter} (no wildcard matching:
     * UNSUBSCRIBE names filters, [MQTT-3.10.4-1]) and prunes nodes left empty.
     *
     * @return whether there was such a subscription
     */
    public boolean unsubscribe(String filter, S subscriber) {
        lock.writeLock().lock();
        try {
            Node<S, V> node = nodeOf(filter);
            if (node == null || node.subscribers == null || node.subscribers.remove(subscriber) == null) {
                return false;
            }
            size--;
            changed();
            for (Watcher<? super S> w : watchers) {
                w.removed(filter, subscriber);
            }
            if (node.subscribers.isEmpty()) {
                node.subscribers = null;
            }
            // Walk up while the node holds nothing; roots have no parent and are never removed.
            while (node.parent != null && node.isEmpty()) {
                node.parent.removeChild(node.level);
                node = node.parent;
            }
            return true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Calls {@code visitor} once per (subscriber, filter) pair whose filter matches {@code topic};
     * a subscriber with several matching filters is visited once per filter, and the caller
     * merges or not (see {@code Router}). The order of visits is mosquitto's (see {@code search}).
     *
     * <p>{@code topic} should be a valid topic name (see {@link TopicName#invalidReason}); the
     * visitor runs under the read lock (see the class notes).
     *
     * @return the generation the answer belongs to (see {@link #generation()})
     */
    public long match(String topic, BiConsumer<? super S, ? super V> visitor) {
        MatchCache<S, V> cache = caches.get();
        long seen = generation;
        MatchCache.Matches<S, V> matches = cache.find(topic, seen);
        if (matches == null) {
            lock.readLock().lock();
            try {
                seen = generation; // stable while the read lock is held
                walk(topic, cache.recorder());
                matches = cache.store(topic, seen);
            } finally {
                lock.readLock().unlock();
            }
        }
        matches.replay(visitor);
        return seen;
    }

    /**
     * The generation: bumped by every change. A match answered at generation {@code g} (what
     * {@link #match} returns) reflects every change that returned a generation up to {@code g}.
     */
    public long generation() {
        return generation;
    }

    /**
     * Marks a change made beside the trie (a shared subscription group lost a member, which the trie
     * does not see): matches made before it carry a lower generation. Returns the new generation.
     */
    public long touch() {
        lock.writeLock().lock();
        try {
            changed();
            return generation;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** A subscription changed: every cached answer is stale, so no cache keeps one (under the write lock). */
    private void changed() {
        generation++;
        for (MatchCache<S, V> cache : everyCache) {
            cache.retire();
        }
    }

    /** The trie walk behind {@link #match}; the caller holds the read lock. */
    private void walk(String topic, BiConsumer<? super S, ? super V> visitor) {
        search(TopicName.isSystem(topic) ? dollarRoot : root, topic, visitor);
    }

    /**
     * Visits the subscriptions under {@code start} matching the topic, depth first in mosquitto 2.0's
     * order, which a 5.0 client with overlapping subscriptions sees as the order of its copies: at
     * each level the literal branch (its deeper matches, then its own), then {@code +}'s, then
     * {@code #}'s. An explicit stack, since a topic may have thousands of levels.
     */
    private void search(Node<S, V> start, String topic, BiConsumer<? super S, ? super V> visitor) {
        ArrayDeque<Step<S, V>> todo = new ArrayDeque<>();
        todo.push(new Step<>(start, 0, false));
        while (!todo.isEmpty()) {
            Step<S, V> step = todo.pop();
            Node<S, V> node = step.node();
            if (step.visit()) {
                visitAll(node, visitor);
                continue;
            }
            // Pushed in reverse: what is pushed last runs first.
            if (node.hash != null) {
                todo.push(new Step<>(node.hash, 0, true)); // '#' takes this level and all after; "a/#" takes "a" [MQTT-4.7.1-2]
            }
            int from = step.from();
            if (from > topic.length()) {
                continue; // every level consumed
            }
            int slash = topic.indexOf('/', from);
            boolean last = slash < 0;
            int rest = last ? topic.length() + 1 : slash + 1;
            if (node.plus != null) {
                if (last) {
                    todo.push(new Step<>(node.plus, 0, true));
                }
                todo.push(new Step<>(node.plus, rest, false));
            }
            Node<S, V> child = node.children == null ? null
                    : node.children.get(topic.substring(from, last ? topic.length() : slash));
            if (child != null) {
                if (last) {
                    todo.push(new Step<>(child, 0, true));
                }
                todo.push(new Step<>(child, rest, false));
            }
        }
    }

    /** Search {@code node} from topic index {@code from}, or (visit) hand its subscribers to the visitor. */
    private record Step<S, V>(Node<S, V> node, int from, boolean visit) {
    }

    /** The number of (filter, subscriber) subscriptions. */
    public int size() {
        lock.readLock().lock();
        try {
            return size;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The (subscriber, value) pairs this thread's cache holds, over all its answers; for tests. */
    int cachedPairs() {
        return caches.get().pairs();
    }

    /** The number of nodes below the roots, counted by walking the trie; for pruning tests. */
    int nodeCount() {
        lock.readLock().lock();
        try {
            int count = 0;
            ArrayDeque<Node<S, V>> todo = new ArrayDeque<>();
            todo.add(root);
            todo.add(dollarRoot);
            while (!todo.isEmpty()) {
                Node<S, V> node = todo.poll();
                if (node.children != null) {
                    todo.addAll(node.children.values());
                }
                if (node.plus != null) {
                    todo.add(node.plus);
                }
                if (node.hash != null) {
                    todo.add(node.hash);
                }
                if (node.parent != null) {
                    count++;
                }
            }
            return count;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Tells {@code watcher} of every subscription, its filter rebuilt from the levels; under the write lock. */
    private void forEachSubscription(Watcher<? super S> watcher) {
        ArrayDeque<Node<S, V>> todo = new ArrayDeque<>();
        todo.add(root);
        todo.add(dollarRoot);
        while (!todo.isEmpty()) {
            Node<S, V> node = todo.poll();
            if (node.subscribers != null) {
                String filter = filterOf(node);
                node.subscribers.keySet().forEach(subscriber -> watcher.added(filter, subscriber));
            }
            if (node.children != null) {
                todo.addAll(node.children.values());
            }
            if (node.plus != null) {
                todo.add(node.plus);
            }
            if (node.hash != null) {
                todo.add(node.hash);
            }
        }
    }

    private static String filterOf(Node<?, ?> node) {
        ArrayDeque<String> levels = new ArrayDeque<>();
        for (Node<?, ?> n = node; n.parent != null; n = n.parent) {
            levels.push(n.level);
        }
        return String.join("/", levels);
    }

    private Node<S, V> rootFor(String filter) {
        return TopicName.isSystem(filter) ? dollarRoot : root;
    }

    private static <S, V> void visitAll(Node<S, V> node, BiConsumer<? super S, ? super V> visitor) {
        if (node.subscribers != null) {
            for (Map.Entry<S, V> e : node.subscribers.entrySet()) {
                visitor.accept(e.getKey(), e.getValue());
            }
        }
    }

    /** One filter level. All fields are guarded by the tree's lock; empty collections are null. */
    private static final class Node<S, V> {
        final Node<S, V> parent;
        final String level; // the key in parent: a literal level, PLUS or HASH
        HashMap<String, Node<S, V>> children;
        Node<S, V> plus;
        Node<S, V> hash;
        LinkedHashMap<S, V> subscribers; // in the order they subscribed, as mosquitto delivers

        Node(Node<S, V> parent, String level) {
            this.parent = parent;
            this.level = level;
        }

        Node<S, V> child(String level) {
            if (PLUS.equals(level)) {
                return plus;
            }
            if (HASH.equals(level)) {
                return hash;
            }
            return children == null ? null : children.get(level);
        }

        Node<S, V> childOrCreate(String level) {
            if (PLUS.equals(level)) {
                return plus != null ? plus : (plus = new Node<>(this, PLUS));
            }
            if (HASH.equals(level)) {
                return hash != null ? hash : (hash = new Node<>(this, HASH));
            }
            if (children == null) {
                children = new HashMap<>(4);
            }
            return children.computeIfAbsent(level, l -> new Node<>(this, l));
        }

        void removeChild(String level) {
            if (PLUS.equals(level)) {
                plus = null;
            } else if (HASH.equals(level)) {
                hash = null;
            } else if (children != null) {
                children.remove(level);
                if (children.isEmpty()) {
                    children = null;
                }
            }
        }

        boolean isEmpty() {
            return subscribers == null && children == null && plus == null && hash == null;
        }
    }
}
