package io.starling.broker.core.sys;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One thread's share of the broker's {@link Counter}s. Only its thread writes it, so an increment is
 * a plain read and an opaque store: no lock, no CAS, no fence on the message path. Readers on other
 * threads (the $SYS timer, a metrics scrape) read with opaque loads, which never see a torn value
 * and soon see the latest one; {@link BrokerCounters} sums every thread's share.
 *
 * <p>Threading: written by its owner thread only (get it with {@link BrokerCounters#local()} on the
 * thread that counts); read from any thread.
 */
public final class LoopCounters {
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(long[].class);
    /** A cache line of longs on each side, so that two threads' counters never share one. */
    private static final int PAD = 8;

    private final long[] slots = new long[PAD + Counter.COUNT + PAD];

    LoopCounters() {
    }

    public void increment(Counter counter) {
        add(counter, 1);
    }

    /** Adds {@code n} (negative to lower a gauge). */
    public void add(Counter counter, long n) {
        int i = PAD + counter.ordinal();
        SLOTS.setOpaque(slots, i, slots[i] + n); // the plain read is safe: only this thread writes
    }

    long get(Counter counter) {
        return (long) SLOTS.getOpaque(slots, PAD + counter.ordinal());
    }
}
