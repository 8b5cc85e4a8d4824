package io.starling.broker.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * Sizes each read's buffer exactly as Netty's {@code AdaptiveRecvByteBufAllocator} with its defaults
 * (first guess 2,048 bytes, between 64 and 65,536; up four steps of its size table after a read that
 * filled the buffer, down one after two reads that would have fitted in the step below; one read per
 * readiness event), with one small handle per connection.
 *
 * <p>Why not Netty's own: its handle is a 72-byte object plus a 16-byte supplier for every connection
 * (with compact object headers), kept for the connection's life; this one is 32 bytes, which matters
 * for a broker holding a million idle connections (issue 16: memory per idle connection). The epoll
 * transport still wraps it in its own handle. Threading: a handle is used by its channel's event loop only.
 */
final class ReceiveSizing implements RecvByteBufAllocator {
    static final ReceiveSizing INSTANCE = new ReceiveSizing();

    /**
     * One read per readiness event, as before: the listener's {@code new AdaptiveRecvByteBufAllocator()}
     * kept its constructor's 1 (Netty sets 16 only on the allocator a channel makes for itself); with
     * data left, the epoll transport schedules the next read behind the loop's other work.
     */
    private static final int MAX_MESSAGES_PER_READ = 1;
    private static final int INDEX_INCREMENT = 4;
    private static final int INDEX_DECREMENT = 1;
    /** Netty's table: 16 to 496 in steps of 16, then doubling from 512; the sizes used are 64 to 65,536. */
    private static final int[] SIZE_TABLE = sizeTable();
    private static final int MIN_INDEX = indexOf(64);
    private static final int MAX_INDEX = indexOf(65536);
    private static final int INITIAL_INDEX = indexOf(2048);

    private ReceiveSizing() {
    }

    private static int[] sizeTable() {
        int[] table = new int[31 + 23];
        int n = 0;
        for (int size = 16; size < 512; size += 16) {
            table[n++] = size;
        }
        for (int size = 512; size > 0; size <<= 1) {
            table[n++] = size;
        }
        return java.util.Arrays.copyOf(table, n);
    }

    /** The index of the smallest size not below {@code size} (sizes here are in the table). */
    private static int indexOf(int size) {
        for (int i = 0; i < SIZE_TABLE.length; i++) {
            if (SIZE_TABLE[i] >= size) {
                return i;
            }
        }
        return SIZE_TABLE.length - 1;
    }

    /** The buffer size a handle at this index asks for (tests). */
    static int sizeAt(int index) {
        return SIZE_TABLE[index];
    }

    @Override
    public Handle newHandle() {
        return new SizingHandle();
    }

    /** One connection's guess and the counts of the read under way. */
    static final class SizingHandle implements RecvByteBufAllocator.ExtendedHandle {
        private ChannelConfig config;
        private int totalBytesRead;
        private int attemptedBytesRead;
        private int lastBytesRead;
        private byte index = (byte) INITIAL_INDEX;
        private byte messages;
        private boolean decreaseNow;

        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) {
            return alloc.ioBuffer(guess());
        }

        @Override
        public int guess() {
            return SIZE_TABLE[index];
        }

        @Override
        public void reset(ChannelConfig config) {
            this.config = config;
            messages = 0;
            totalBytesRead = 0;
        }

        @Override
        public void incMessagesRead(int numMessages) {
            messages = (byte) Math.min(messages + numMessages, MAX_MESSAGES_PER_READ);
        }

        @Override
        public void lastBytesRead(int bytes) {
            // A read that filled the buffer: grow the next guess at once, as Netty's does, rather than
            // going back to epoll with data still pending.
            if (bytes == attemptedBytesRead) {
                record(bytes);
            }
            lastBytesRead = bytes;
            if (bytes > 0) {
                totalBytesRead += bytes;
            }
        }

        @Override
        public int lastBytesRead() {
            return lastBytesRead;
        }

        @Override
        public void attemptedBytesRead(int bytes) {
            attemptedBytesRead = bytes;
        }

        @Override
        public int attemptedBytesRead() {
            return attemptedBytesRead;
        }

        @Override
        public boolean continueReading() {
            // Netty's default "maybe more data": the last read filled what it was given.
            return config.isAutoRead() && attemptedBytesRead == lastBytesRead
                    && messages < MAX_MESSAGES_PER_READ && totalBytesRead > 0;
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
            return config.isAutoRead() && maybeMoreDataSupplier.get()
                    && messages < MAX_MESSAGES_PER_READ && totalBytesRead > 0;
        }

        @Override
        public void readComplete() {
            record(totalBytesRead < 0 ? Integer.MAX_VALUE : totalBytesRead);
        }

        private void record(int actualReadBytes) {
            if (actualReadBytes <= SIZE_TABLE[Math.max(0, index - INDEX_DECREMENT)]) {
                if (decreaseNow) {
                    index = (byte) Math.max(index - INDEX_DECREMENT, MIN_INDEX);
                    decreaseNow = false;
                } else {
                    decreaseNow = true;
                }
            } else if (actualReadBytes >= SIZE_TABLE[index]) {
                index = (byte) Math.min(index + INDEX_INCREMENT, MAX_INDEX);
                decreaseNow = false;
            }
        }
    }
}
