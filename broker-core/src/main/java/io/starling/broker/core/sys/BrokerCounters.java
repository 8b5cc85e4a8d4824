package io.starling.broker.core.sys;

import io.netty.util.concurrent.FastThreadLocal;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The broker's {@link Counter}s: one {@link LoopCounters} per thread that counts (in practice the
 * event loops), summed when someone reads them. Counting is therefore as cheap as a field update,
 * and reading costs a walk over a handful of threads, every {@code sys_interval} or scrape.
 *
 * <p>Threading: {@link #local()} gives the calling thread its own counters; {@link #sum} may be
 * called from any thread and sees each thread's latest increments soon, not instantly.
 */
public final class BrokerCounters {
    private final List<LoopCounters> all = new CopyOnWriteArrayList<>();
    private final FastThreadLocal<LoopCounters> local = new FastThreadLocal<>() {
        @Override
        protected LoopCounters initialValue() {
            LoopCounters mine = new LoopCounters();
            all.add(mine);
            return mine;
        }
    };

    /** The calling thread's counters; keep the result only on that thread. */
    public LoopCounters local() {
        return local.get();
    }

    /** Adds one on the calling thread's counters: for events off the message path. */
    public void increment(Counter counter) {
        local().increment(counter);
    }

    /** The broker-wide value: a total since start, or the current level of a gauge. */
    public long sum(Counter counter) {
        long sum = 0;
        for (LoopCounters c : all) {
            sum += c.get(counter);
        }
        return sum;
    }

    /** The sum of several counters (e.g. one per QoS). */
    public long sum(Counter... counters) {
        long sum = 0;
        for (Counter c : counters) {
            sum += sum(c);
        }
        return sum;
    }
}
