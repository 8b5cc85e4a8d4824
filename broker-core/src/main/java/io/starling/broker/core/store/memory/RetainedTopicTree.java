package io.starling.broker.core.store.memory;

import io.starling.broker.core.routing.Message;
import io.starling.broker.core.store.RetainedStore;
import io.starling.broker.core.topic.TopicName;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The retained messages as a trie of topic levels, matched against a filter: a literal level is one
 * map lookup, {@code +} takes every child, {@code #} the subtree. So a SUBSCRIBE costs the topics its
 * filters reach, not the size of the store (a scan of every retained topic per filter stalled a loop
 * for seconds). Topics whose first level starts with {@code $} live under their own root, which
 * filters starting with a wildcard never enter [MQTT-4.7.2-1]; the layout of {@code SubscriptionTree}
 * turned around (here the trie holds topic names and the walk takes the filter).
 *
 * <p><b>Threading.</b> Writers ({@link #put}, {@link #clear}) hold {@code lock}. Readers walk without
 * it: children are concurrent maps and a node's message is volatile, so a walk sees each node as it
 * is or was a moment ago. A reader takes its reference to a message under {@code lock}, re-reading
 * the node there, so a writer never releases a message between a reader's read and its retain; the
 * lock is held for one message at a time, and a long walk never holds up a PUBLISH on another loop.
 * Pruning: a delete removes the levels left without a message or children; a reader still inside
 * such a node sees it empty.
 */
final class RetainedTopicTree {
    private static final Node[] NO_NODES = new Node[0];
    private final Object lock = new Object();
    private final Node root = new Node(null, "");
    private final Node dollarRoot = new Node(null, "");
    private volatile int size; // written under lock
    private volatile long bytes; // written under lock

    /**
     * Makes {@code message} the one of its topic, or deletes the topic's when {@code message} is null.
     *
     * @return the message it replaced (the caller releases it), or null
     */
    Message put(String topic, Message message) {
        synchronized (lock) {
            Node node = message != null ? nodeOrCreate(topic) : find(topic);
            if (node == null) {
                return null;
            }
            Message previous = node.message;
            node.message = message;
            int size = message == null ? 0 : message.payloadSize();
            node.payloadSize = size;
            this.size += (message != null ? 1 : 0) - (previous != null ? 1 : 0);
            this.bytes += size - (previous != null ? previous.payloadSize() : 0);
            if (message == null) {
                prune(node);
            }
            return previous;
        }
    }

    /** Hands each message whose topic matches {@code filter} to {@code visitor}, retained for it, until it returns false. */
    void match(String filter, Predicate<Message> visitor) {
        List<Node> current = new ArrayList<>(1);
        List<Node> next = new ArrayList<>();
        current.add(TopicName.isSystem(filter) ? dollarRoot : root);
        int from = 0;
        while (!current.isEmpty()) {
            int slash = filter.indexOf('/', from);
            int end = slash < 0 ? filter.length() : slash;
            String level = filter.substring(from, end);
            for (Node node : current) {
                if (level.equals("#")) {
                    // "a/#" takes "a" too [MQTT-4.7.1-2], after the levels below it, as mosquitto sends them
                    if (!visitBelow(node, visitor) || node.parent != null && !visit(node, visitor)) {
                        return;
                    }
                    continue;
                }
                ConcurrentHashMap<String, Node> children = node.children;
                if (children == null) {
                    continue;
                }
                if (level.equals("+")) {
                    next.addAll(List.of(node.ordered));
                } else {
                    Node child = children.get(level);
                    if (child != null) {
                        next.add(child);
                    }
                }
            }
            if (slash < 0) {
                for (Node n : next) {
                    if (!visit(n, visitor)) {
                        return;
                    }
                }
                return;
            }
            List<Node> swap = current;
            current = next;
            next = swap;
            next.clear();
            from = slash + 1;
        }
    }

    /** See {@link RetainedStore#topics}: in the order of the levels' names. */
    void topics(RetainedStore.TopicVisitor visitor) {
        for (Node start : List.of(dollarRoot, root)) {
            boolean more = preOrder(start, RetainedTopicTree::sortedChildren, node -> {
                Message m = node.message;
                return m == null || visitor.visit(m.topic(), node.payloadSize);
            });
            if (!more) {
                return;
            }
        }
    }

    int size() {
        return size;
    }

    long bytes() {
        return bytes;
    }

    /** Empties the tree; hands every message it held to {@code release}. */
    void clear(Consumer<Message> release) {
        synchronized (lock) {
            for (Node start : List.of(root, dollarRoot)) {
                ArrayDeque<Node> todo = new ArrayDeque<>();
                todo.push(start);
                while (!todo.isEmpty()) {
                    Node node = todo.pop();
                    if (node.message != null) {
                        release.accept(node.message);
                        node.message = null;
                    }
                    if (node.children != null) {
                        todo.addAll(node.children.values());
                    }
                }
                start.children = null;
                start.ordered = NO_NODES;
            }
            size = 0;
            bytes = 0;
        }
    }

    /**
     * Visits the levels below {@code top}, each before its own children, siblings in the order their
     * levels were created: the order mosquitto 2.0 sends a wildcard subscription's retained messages.
     *
     * @return false when the visitor asked to stop
     */
    private boolean visitBelow(Node top, Predicate<Message> visitor) {
        return preOrder(top, node -> List.of(node.ordered).iterator(), node -> visit(node, visitor));
    }

    /**
     * Walks the levels below {@code top}, each before its children, siblings in the order
     * {@code children} gives; an explicit stack, as topics may be deep.
     *
     * @return false when {@code visit} asked to stop
     */
    private static boolean preOrder(Node top, Function<Node, Iterator<Node>> children, Predicate<Node> visit) {
        ArrayDeque<Iterator<Node>> stack = new ArrayDeque<>();
        stack.push(children.apply(top));
        while (!stack.isEmpty()) {
            Iterator<Node> siblings = stack.peek();
            if (!siblings.hasNext()) {
                stack.pop();
                continue;
            }
            Node node = siblings.next();
            if (!visit.test(node)) {
                return false;
            }
            stack.push(children.apply(node));
        }
        return true;
    }

    /** @return false when the visitor asked to stop */
    private boolean visit(Node node, Predicate<Message> visitor) {
        Message m;
        synchronized (lock) {
            m = node.message;
            if (m == null) {
                return true;
            }
            m.retain();
        }
        return visitor.test(m);
    }

    private static Iterator<Node> sortedChildren(Node node) {
        ConcurrentHashMap<String, Node> children = node.children;
        if (children == null) {
            return java.util.Collections.emptyIterator();
        }
        List<Node> sorted = new ArrayList<>(children.values());
        sorted.sort((a, b) -> a.level.compareTo(b.level));
        return sorted.iterator();
    }

    private Node rootFor(String topic) {
        return TopicName.isSystem(topic) ? dollarRoot : root;
    }

    /** The node of {@code topic}, creating the missing levels; under lock. */
    private Node nodeOrCreate(String topic) {
        Node node = rootFor(topic);
        int from = 0;
        while (true) {
            int slash = topic.indexOf('/', from);
            int end = slash < 0 ? topic.length() : slash;
            if (node.children == null) {
                node.children = new ConcurrentHashMap<>(4);
            }
            Node parent = node;
            String level = topic.substring(from, end);
            Node child = node.children.get(level);
            if (child == null) {
                child = new Node(parent, level);
                node.children.put(level, child);
                parent.ordered = append(parent.ordered, child);
            }
            node = child;
            if (slash < 0) {
                return node;
            }
            from = slash + 1;
        }
    }

    /** The node of {@code topic}, or null; under lock. */
    private Node find(String topic) {
        Node node = rootFor(topic);
        int from = 0;
        while (node != null) {
            int slash = topic.indexOf('/', from);
            int end = slash < 0 ? topic.length() : slash;
            ConcurrentHashMap<String, Node> children = node.children;
            node = children == null ? null : children.get(topic.substring(from, end));
            if (slash < 0) {
                return node;
            }
            from = slash + 1;
        }
        return null;
    }

    /** Removes {@code node} and its ancestors while they hold nothing; under lock. */
    private static void prune(Node node) {
        while (node.parent != null && node.message == null && (node.children == null || node.children.isEmpty())) {
            ConcurrentHashMap<String, Node> siblings = node.parent.children;
            siblings.remove(node.level);
            node.parent.ordered = remove(node.parent.ordered, node);
            if (siblings.isEmpty()) {
                node.parent.children = null;
            }
            node = node.parent;
        }
    }

    private static Node[] append(Node[] nodes, Node node) {
        Node[] out = Arrays.copyOf(nodes, nodes.length + 1);
        out[nodes.length] = node;
        return out;
    }

    private static Node[] remove(Node[] nodes, Node node) {
        List<Node> out = new ArrayList<>(List.of(nodes));
        out.remove(node);
        return out.toArray(NO_NODES);
    }

    /** One topic level. Written under the tree's lock; read by walks without it. */
    private static final class Node {
        final Node parent;
        final String level;
        volatile ConcurrentHashMap<String, Node> children;
        /** The children in the order they were created, copied on write: the order of wildcard matches. */
        volatile Node[] ordered = NO_NODES;
        volatile Message message;
        /** The message's payload size, kept so that a listing needs no reference to the message. */
        volatile int payloadSize;

        Node(Node parent, String level) {
            this.parent = parent;
            this.level = level;
        }
    }
}
