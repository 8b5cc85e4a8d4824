package io.starling.broker.core.store.memory;

import io.starling.broker.core.routing.Message;
import io.starling.broker.core.store.RetainedStore;
import io.starling.broker.core.topic.TopicFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Retained messages on the heap: a map from topic to message.
 *
 * <p>A subscribe matches its filter against every retained topic with {@link TopicFilter#matches}.
 * That is linear in the number of retained topics; a topic trie keyed by topic levels is the next
 * step when a benchmark with many retained messages asks for it.
 */
public final class InMemoryRetainedStore implements RetainedStore {
    private final ConcurrentHashMap<String, Message> byTopic = new ConcurrentHashMap<>();
    /** Payload bytes of the stored messages; only exact once concurrent puts are done, which $SYS can live with. */
    private final LongAdder bytes = new LongAdder();

    @Override
    public void put(Message message) {
        Message previous;
        if (message.payloadSize() == 0) {
            previous = byTopic.remove(message.topic());
            message.release();
        } else {
            bytes.add(message.payloadSize());
            previous = byTopic.put(message.topic(), message);
        }
        if (previous != null) {
            bytes.add(-previous.payloadSize());
            previous.release();
        }
    }

    @Override
    public void match(String filter, Consumer<Message> visitor) {
        List<Message> matched = new ArrayList<>();
        for (String topic : byTopic.keySet()) {
            if (TopicFilter.matches(filter, topic)) {
                // Retain inside compute(): a concurrent put cannot release the message before we hold it.
                byTopic.computeIfPresent(topic, (t, m) -> {
                    matched.add(m.retain());
                    return m;
                });
            }
        }
        matched.forEach(visitor);
    }

    @Override
    public int size() {
        return byTopic.size();
    }

    @Override
    public long bytes() {
        return bytes.sum();
    }

    @Override
    public void close() {
        byTopic.values().forEach(Message::release);
        byTopic.clear();
        bytes.reset();
    }
}
