package io.starling.broker.store.rocksdb;

import io.starling.broker.core.routing.Message;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared messages ({@code 'M'} entries): a message queued for many sessions is written once and
 * deleted with its last queue entry.
 *
 * <p>The counts live in memory only; {@code StateLoader} rebuilds them from the queue entries at
 * start-up. The write of a message on its first reference and its delete on its last happen inside
 * {@link ConcurrentHashMap#compute}, so for one message they are applied in the order of the count
 * changes, even when loops race. A message whose count fell to zero can be referenced again (a
 * retained message in memory, queued for a later subscriber): it is then written again under the
 * same id.
 *
 * <p>Crash safety comes from the order of writes around this class: a message is written before the
 * queue entry that refers to it, and deleted after the last one is gone, so a crash leaves at worst
 * an unreferenced message, which the next start-up deletes.
 */
final class MessageReferences {
    private static final Logger LOG = LoggerFactory.getLogger(MessageReferences.class);

    private final Database db;
    private final MessageCodec codec;
    private final AtomicLong nextId;
    private final ConcurrentHashMap<Long, Integer> counts = new ConcurrentHashMap<>();

    MessageReferences(Database db, MessageCodec codec, long firstFreeId) {
        this.db = db;
        this.codec = codec;
        this.nextId = new AtomicLong(firstFreeId);
    }

    /** Adds a reference to {@code message}, writing it if it has none, and returns its store id. */
    long add(Message message) {
        long id = idOf(message);
        counts.compute(id, (key, count) -> {
            if (count == null) {
                db.put(KeyLayout.message(key), codec.encode(message));
                return 1;
            }
            return count + 1;
        });
        return id;
    }

    /** Drops a reference to message {@code id}, deleting the message with its last one. */
    void drop(long id) {
        counts.compute(id, (key, count) -> {
            if (count == null) {
                LOG.warn("Session store: dropping a reference to message {}, which has none", key);
                return null;
            }
            if (count == 1) {
                db.delete(KeyLayout.message(key));
                return null;
            }
            return count - 1;
        });
    }

    /** Replaces every count, at start-up. */
    void reset(Map<Long, Integer> loaded) {
        counts.clear();
        counts.putAll(loaded);
    }

    /** How many messages have references (for tests). */
    int size() {
        return counts.size();
    }

    /**
     * The store id of {@code message}, assigned on first use. The core sets it from the publisher's
     * loop before others see the message, but a retained message can be queued from several loops at
     * once; the lock on the message makes them agree on one id.
     */
    private long idOf(Message message) {
        synchronized (message) {
            if (message.storeId() == 0) {
                message.setStoreId(nextId.getAndIncrement());
            }
            return message.storeId();
        }
    }
}
