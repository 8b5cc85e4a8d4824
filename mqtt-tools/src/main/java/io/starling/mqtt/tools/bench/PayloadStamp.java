package io.starling.mqtt.tools.bench;

import io.netty.buffer.ByteBuf;

/**
 * What {@code bench pub} writes at the start of each payload, so that {@code bench sub} (another process,
 * on the same machine) can measure end-to-end latency and check each publisher's stream for losses,
 * duplicates and reordering. Big-endian, {@link #SIZE} bytes:
 * <pre>
 *   [0, 8)   send time, nanoseconds since the epoch ({@link EpochClock})
 *   [8, 12)  {@link #MAGIC}: tells stamped payloads from any others on the same topics
 *   [12, 16) run: a random number per bench pub process, so that two processes' publisher 1 differ
 *   [16, 20) publisher index (from 1)
 *   [20, 24) sequence number in that publisher's stream (from 0)
 * </pre>
 * The rest of the payload is zeros. A payload shorter than {@link #SIZE} is not stamped: it is counted,
 * with no latency and no stream check.
 */
public final class PayloadStamp {
    public static final int SIZE = 24;
    static final int MAGIC = 0x53424e31; // "SBN1"

    private PayloadStamp() {
    }

    static void write(ByteBuf out, long sentAtEpochNanos, int run, int publisher, int sequence) {
        out.writeLong(sentAtEpochNanos);
        out.writeInt(MAGIC);
        out.writeInt(run);
        out.writeInt(publisher);
        out.writeInt(sequence);
    }

    static boolean isStamped(ByteBuf payload) {
        return payload.readableBytes() >= SIZE && payload.getInt(payload.readerIndex() + 8) == MAGIC;
    }

    static long sentAt(ByteBuf payload) {
        return payload.getLong(payload.readerIndex());
    }

    /** The publisher's stream: its run and index in one number. */
    static long stream(ByteBuf payload) {
        return payload.getLong(payload.readerIndex() + 12);
    }

    static int sequence(ByteBuf payload) {
        return payload.getInt(payload.readerIndex() + 20);
    }

    static int publisherOf(long stream) {
        return (int) stream;
    }
}
