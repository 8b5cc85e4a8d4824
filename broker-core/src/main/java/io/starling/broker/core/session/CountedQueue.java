package io.starling.broker.core.session;

import io.starling.broker.core.routing.Delivery;
import io.starling.broker.core.store.MessageQueue;
import io.starling.broker.core.sys.BrokerCounters;
import io.starling.broker.core.sys.Counter;
import io.starling.broker.core.sys.LoopCounters;

/**
 * A session's {@link MessageQueue} that also keeps the broker's {@link Counter#QUEUED_MESSAGES} and
 * {@link Counter#QUEUED_BYTES} gauges in step, on the counters of the loop that changes it (the
 * session's owner). Threading and ownership as the queue it wraps.
 */
final class CountedQueue implements MessageQueue {
    private final MessageQueue queue;
    private final BrokerCounters counters;

    CountedQueue(MessageQueue queue, BrokerCounters counters) {
        this.queue = queue;
        this.counters = counters;
    }

    @Override
    public void add(Delivery delivery) {
        queue.add(delivery);
        changed(1, delivery.message().payloadSize());
    }

    @Override
    public Delivery poll() {
        Delivery d = queue.poll();
        if (d != null) {
            changed(-1, -d.message().payloadSize());
        }
        return d;
    }

    @Override
    public int size() {
        return queue.size();
    }

    @Override
    public long bytes() {
        return queue.bytes();
    }

    @Override
    public void clear() {
        changed(-queue.size(), -queue.bytes());
        queue.clear();
    }

    private void changed(int messages, long bytes) {
        LoopCounters mine = counters.local();
        mine.add(Counter.QUEUED_MESSAGES, messages);
        mine.add(Counter.QUEUED_BYTES, bytes);
    }
}
