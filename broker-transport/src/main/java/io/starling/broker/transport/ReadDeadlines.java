package io.starling.broker.transport;

import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The read deadlines of one event loop's connections (the CONNECT timeout, then 1.5 times the
 * keepalive): a timing wheel of {@link #TICK_NANOS} ticks whose slots are lists linked through the
 * connections' handlers. A deadline fires at most one tick late.
 *
 * <p>Why not one scheduled task per connection: that was a {@code ScheduledFutureTask} (64 bytes) in
 * the loop's priority queue for every idle connection, and a new one at every re-arm (issue 8: memory
 * per idle connection). Here a connection costs two references and a slot number, and a read only
 * writes the time of the read: a slot visited before the connection's deadline moves it on to the slot
 * of its deadline as it stands then. A deadline further away than the wheel's turn is visited once a
 * turn until due.
 *
 * <p>Threading: the loop's, including the tick, which runs while the loop has connections.
 */
final class ReadDeadlines implements Runnable {
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final int SLOTS = 512; // a turn of 128 s

    private final EventExecutor loop;
    private final ClientChannelHandler[] slots = new ClientChannelHandler[SLOTS];
    /** The time slot numbers count from. */
    private final long origin = System.nanoTime();
    /** The tick whose slot is visited next. */
    private long nextTick = 1;
    private int size;
    private io.netty.util.concurrent.ScheduledFuture<?> ticker;

    ReadDeadlines(EventExecutor loop) {
        this.loop = loop;
    }

    /** Puts the handler in the slot of its deadline (it must not be in the wheel). */
    void add(ClientChannelHandler h) {
        if (ticker == null) {
            // Not ticking (no connections, or none yet): the wheel is empty, so skip the ticks gone by.
            nextTick = Math.max(nextTick, Math.floorDiv(System.nanoTime() - origin, TICK_NANOS) + 1);
            ticker = loop.scheduleAtFixedRate(this, TICK_NANOS, TICK_NANOS, TimeUnit.NANOSECONDS);
        }
        long tick = Math.max(nextTick, ceilDiv(h.deadlineNanos() - origin, TICK_NANOS));
        int slot = (int) (tick % SLOTS);
        h.wheelSlot = slot;
        h.wheelPrevious = null;
        h.wheelNext = slots[slot];
        if (h.wheelNext != null) {
            h.wheelNext.wheelPrevious = h;
        }
        slots[slot] = h;
        size++;
    }

    /** Takes the handler out; one that is not in the wheel is left alone. */
    void remove(ClientChannelHandler h) {
        if (h.wheelSlot < 0) {
            return;
        }
        if (h.wheelPrevious != null) {
            h.wheelPrevious.wheelNext = h.wheelNext;
        } else {
            slots[h.wheelSlot] = h.wheelNext;
        }
        if (h.wheelNext != null) {
            h.wheelNext.wheelPrevious = h.wheelPrevious;
        }
        h.wheelSlot = -1;
        h.wheelPrevious = null;
        h.wheelNext = null;
        size--;
    }

    int size() {
        return size;
    }

    /** The tick: visits every slot whose time has come. */
    @Override
    public void run() {
        long now = System.nanoTime();
        while (origin + nextTick * TICK_NANOS <= now) {
            visit((int) (nextTick % SLOTS), now);
            nextTick++;
        }
        if (size == 0 && ticker != null) {
            ticker.cancel(false); // an idle loop without connections does not wake up for nothing
            ticker = null;
        }
    }

    private void visit(int slot, long now) {
        ClientChannelHandler h = slots[slot];
        slots[slot] = null; // detached: entries moved on go to fresh lists, including this slot's next turn
        // First out of the wheel, all of them: a timeout handled below may close other connections, whose
        // removal must then find them out already rather than unlink them from this detached list.
        for (ClientChannelHandler e = h; e != null; e = e.wheelNext) {
            e.wheelSlot = -1;
            size--;
        }
        while (h != null) {
            ClientChannelHandler next = h.wheelNext;
            h.wheelPrevious = null;
            h.wheelNext = null;
            if (h.deadlineNanos() - now <= 0) {
                h.timedOut();
            } else if (h.channel().isOpen()) {
                add(h);
            }
            h = next;
        }
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }
}
