package io.starling.broker.transport;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;

/**
 * Pooled buffers, each remembered, so that a fuzz test can check after every input that the code it
 * drives released every buffer it allocated ({@link #unreleased}): a leak is then a finding with the
 * input that caused it, at any leak-detector level, instead of a report after the run.
 * Not thread-safe: one per test input, on the test's thread (an EmbeddedChannel's loop).
 */
final class TrackingAllocator extends AbstractByteBufAllocator {
    private final List<ByteBuf> made = new ArrayList<>();

    TrackingAllocator() {
        super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return remember(PooledByteBufAllocator.DEFAULT.heapBuffer(initialCapacity, maxCapacity));
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return remember(PooledByteBufAllocator.DEFAULT.directBuffer(initialCapacity, maxCapacity));
    }

    @Override
    public boolean isDirectBufferPooled() {
        return true;
    }

    private ByteBuf remember(ByteBuf buf) {
        made.add(buf);
        return buf;
    }

    /** The buffers made here that still have a reference. */
    List<ByteBuf> unreleased() {
        return made.stream().filter(b -> b.refCnt() > 0).toList();
    }
}
