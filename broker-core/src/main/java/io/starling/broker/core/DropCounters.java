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
    /** QoS 0 messages for an event loop whose backlog was over {@code max_loop_backlog_bytes}. */
    public final LongAdder loopBacklog = new LongAdder();
    /** SUBSCRIBE filters refused for going past max_subscribe_filters (not messages: not in {@link #total}). */
    public final LongAdder subscribeFiltersRefused = new LongAdder();
    /**
     * Messages the ACL (or the broker's reserved {@code $SYS} tree) refused: a PUBLISH or will its
     * client may not write, or a queued message its reader may no longer read when it is delivered.
     * Not part of {@link #total()}: mosquitto's {@code $SYS/broker/publish/messages/dropped} counts
     * queue drops only.
     */
    public final LongAdder notAuthorized = new LongAdder();
    /**
     * QoS 1/2 PUBLISHes refused because their client was over its receive quota (5.0: 0x97; 3.1.1: past
     * {@code max_held_qos2_bytes} held, the connection closed). Not part of {@link #total()}, as for mosquitto.
     */
    public final LongAdder quotaExceeded = new LongAdder();

    /**
     * Messages routed to a session just before it unsubscribed, which reached its loop after the
     * UNSUBSCRIBE (issue 15): not sent, as mosquitto would not have matched them. Not part of
     * {@link #total()}: not a loss, the subscription was gone.
     */
    public final LongAdder unsubscribed = new LongAdder();
    /** Acknowledgements refused (or withheld) because the store could not make their change durable. */
    public final LongAdder notDurable = new LongAdder();

    public long total() {
        return queueFull.sum() + packetTooLarge.sum() + notWritable.sum() + offlineQos0.sum() + expired.sum()
                + loopBacklog.sum();
    }
}
