package io.starling.broker.core.store;

import io.starling.broker.core.routing.Message;
import java.util.function.Predicate;

/**
 * Retained messages, one per topic (MQTT 3.1.1 §3.3.1.3).
 *
 * <p>Threading: called from every event loop; implementations are thread-safe. Ownership: {@link #put}
 * takes over the caller's reference to the message; the store releases the message it replaces or
 * removes. {@link #match} hands each message to the visitor with a reference the visitor must
 * release. {@link #match} and {@link #topics} cost what they reach, not the size of the store (a
 * topic trie), and never block the writers for longer than one message.
 */
public interface RetainedStore extends AutoCloseable {

    /** Stores {@code message} as the retained message of its topic, or deletes it when the payload is empty. */
    void put(Message message);

    /**
     * Visits the retained messages whose topics match {@code filter}, each retained for the visitor,
     * until the visitor returns false (a subscriber that can take no more stops the walk).
     */
    void match(String filter, Predicate<Message> visitor);

    /**
     * Visits the stored topics with their payload sizes until {@code visitor} returns false: level by
     * level, each level's names in order ({@code $} topics first). Takes no references. Any thread,
     * but a full walk is as long as the store: keep it off the event loops.
     */
    void topics(TopicVisitor visitor);

    int size();

    /** The sum of the stored payload sizes. */
    long bytes();

    /** Releases every stored message. */
    @Override
    void close();

    /** One step of {@link #topics}. */
    @FunctionalInterface
    interface TopicVisitor {
        /** @return whether to go on */
        boolean visit(String topic, int payloadBytes);
    }
}
