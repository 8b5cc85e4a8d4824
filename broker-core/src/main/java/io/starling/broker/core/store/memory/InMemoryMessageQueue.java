package io.starling.broker.core.store.memory;

import io.starling.broker.core.routing.Delivery;
import io.starling.broker.core.store.MessageQueue;
import java.util.ArrayDeque;

/**
 * A {@link MessageQueue} on the heap; owned by one event loop like the session it belongs to.
 *
 * <p>Memory: most sessions never queue anything, so the deque is made by the first {@link #add}
 * (issue 8: heap per idle connection) and dropped again by {@link #clear}; a missing deque reads as
 * empty.
 */
public final class InMemoryMessageQueue implements MessageQueue {
    /** Null until the first add. */
    private ArrayDeque<Delivery> deliveries;
    private long bytes;

    @Override
    public void add(Delivery delivery) {
        if (deliveries == null) {
            deliveries = new ArrayDeque<>(1); // grows on demand
        }
        deliveries.addLast(delivery);
        bytes += delivery.message().payloadSize();
    }

    @Override
    public Delivery poll() {
        Delivery d = deliveries == null ? null : deliveries.pollFirst();
        if (d != null) {
            bytes -= d.message().payloadSize();
        }
        return d;
    }

    @Override
    public int size() {
        return deliveries == null ? 0 : deliveries.size();
    }

    @Override
    public long bytes() {
        return bytes;
    }

    @Override
    public void clear() {
        if (deliveries != null) {
            Delivery d;
            while ((d = deliveries.pollFirst()) != null) {
                d.message().release();
            }
            deliveries = null;
        }
        bytes = 0;
    }
}
