package io.starling.broker.core;

import java.util.concurrent.atomic.LongAdder;

/**
 * Messages the broker did not deliver, by cause. Nothing is dropped without being counted here; the
 * counters feed $SYS and metrics.
 */
public final class DropCounters {
    public final LongAdder queueFull = new LongAdder();
    public final LongAdder packetTooLarge = new LongAdder();
    public final LongAdder notWritable = new LongAdder();
    public final LongAdder offlineQos0 = new LongAdder();
    public final LongAdder expired = new LongAdder();
    public final LongAdder malformedPackets = new LongAdder();
    /** Acknowledgements refused (or withheld) because the store could not make their change durable. */
    public final LongAdder notDurable = new LongAdder();

    public long total() {
        return queueFull.sum() + packetTooLarge.sum() + notWritable.sum() + offlineQos0.sum() + expired.sum();
    }
}
