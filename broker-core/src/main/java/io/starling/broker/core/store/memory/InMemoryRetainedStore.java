package io.starling.broker.core.store.memory;

import io.starling.broker.core.routing.Message;
import io.starling.broker.core.store.RetainedStore;
import java.util.function.Predicate;

/** Retained messages on the heap, in a {@link RetainedTopicTree} (see there for cost and threading). */
public final class InMemoryRetainedStore implements RetainedStore {
    private final RetainedTopicTree tree = new RetainedTopicTree();

    @Override
    public void put(Message message) {
        Message previous;
        if (message.payloadSize() == 0) {
            previous = tree.put(message.topic(), null);
            message.release();
        } else {
            previous = tree.put(message.topic(), message);
        }
        if (previous != null) {
            previous.release(); // after the tree let go: no reader can be about to retain it
        }
    }

    @Override
    public void match(String filter, Predicate<Message> visitor) {
        tree.match(filter, visitor);
    }

    @Override
    public void topics(TopicVisitor visitor) {
        tree.topics(visitor);
    }

    @Override
    public int size() {
        return tree.size();
    }

    @Override
    public long bytes() {
        return tree.bytes();
    }

    @Override
    public void close() {
        tree.clear(Message::release);
    }
}
