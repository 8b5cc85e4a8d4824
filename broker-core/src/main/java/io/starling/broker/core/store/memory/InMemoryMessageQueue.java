package io.starling.broker.core.store.memory;

import io.starling.broker.core.routing.Delivery;
import io.starling.broker.core.store.MessageQueue;
import java.util.ArrayDeque;

/** A {@link MessageQueue} on the heap; owned by one event loop like the session it belongs to. */
public final class InMemoryMessageQueue implements MessageQueue {
    private final ArrayDeque<Delivery> deliveries = new ArrayDeque<>(1); // grows on demand; most sessions queue nothing
    private long bytes;

    @Override
    public void add(Delivery delivery) {
        deliveries.addLast(delivery);
        bytes += delivery.message().payloadSize();
    }

    @Override
    public Delivery poll() {
        Delivery d = deliveries.pollFirst();
        if (d != null) {
            bytes -= d.message().payloadSize();
        }
        return d;
    }

    @Override
    public int size() {
        return deliveries.size();
    }

    @Override
    public long bytes() {
        return bytes;
    }

    @Override
    public void clear() {
        Delivery d;
        while ((d = deliveries.pollFirst()) != null) {
            d.message().release();
        }
        bytes = 0;
    }
}
