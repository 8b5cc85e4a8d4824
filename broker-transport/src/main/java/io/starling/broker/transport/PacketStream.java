package io.starling.broker.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.starling.broker.core.sys.Counter;
import io.starling.broker.core.sys.LoopCounters;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.DecodeResult;
import io.starling.mqtt.codec.Malformed;
import io.starling.mqtt.codec.MqttDecoder;
import io.starling.mqtt.codec.NeedMoreData;

/**
 * Cuts one connection's byte stream into packets with our {@link MqttDecoder}: whole packets go to
 * the {@link Sink} as they are found, the bytes of an unfinished one are kept until the rest arrives.
 * After a {@link Malformed} (given to the sink once) all input is discarded: the connection is being
 * closed.
 *
 * <p>It is part of the connection's one handler rather than a {@code ByteToMessageDecoder} of its own
 * (issue 8): that saved a handler and its pipeline context per connection, and the output list and
 * second channelRead hop per read. The handler extends it (through {@link ChannelConnection}), and
 * it extends the decoder, so that the stream's and the decoder's state are fields of the one object
 * a connection is, not objects of their own (issue 16: 56 B per idle connection).
 *
 * <p>Until a CONNECT has been read, packets are limited to {@code max_connect_bytes} (64 KiB unless
 * configured): a stranger may not make the broker buffer hundreds of megabytes before saying who it
 * is, and a CONNECT declaring more is refused as soon as its length is read. ({@link ConnectingGuard}
 * bounds the raw bytes too, whatever they are.)
 *
 * <p>The bytes of every packet cut are counted ($SYS/broker/bytes/received). Threading: the
 * connection's event loop.
 */
class PacketStream extends MqttDecoder {
    /** Where the packets go. */
    interface Sink {
        /** A packet or, once, a {@link Malformed}; a PUBLISH's payload is the sink's to release. */
        void accept(DecodeResult packet);
    }

    private final int maxPacketSize;
    /** The counters of the connection's loop. */
    final LoopCounters counters;
    /** The start of a packet not yet complete, or null. */
    private ByteBuf unfinished;
    private boolean failed;

    /**
     * @param maxConnectSize the largest packet accepted before a CONNECT
     * @param counters the counters of the connection's loop
     */
    PacketStream(int maxPacketSize, int maxConnectSize, LoopCounters counters) {
        super(Math.min(maxPacketSize, maxConnectSize));
        this.maxPacketSize = maxPacketSize;
        this.counters = counters;
    }

    /** Takes {@code in} (and releases it) and gives every packet completed by it to {@code sink}. */
    void read(ByteBuf in, ByteBufAllocator alloc, Sink sink) {
        if (failed) {
            in.release();
            return;
        }
        ByteBuf bytes = unfinished == null ? in : append(unfinished, in, alloc);
        unfinished = null;
        try {
            while (bytes.isReadable()) {
                int start = bytes.readerIndex();
                DecodeResult result = decode(bytes);
                if (result == NeedMoreData.INSTANCE) {
                    break;
                }
                counters.add(Counter.BYTES_RECEIVED, bytes.readerIndex() - start);
                if (result instanceof Connect) {
                    setMaxPacketSize(maxPacketSize);
                } else if (result instanceof Malformed) {
                    failed = true;
                    sink.accept(result);
                    return;
                }
                sink.accept(result);
            }
            if (bytes.isReadable()) {
                unfinished = bytes; // the rest of a packet, whose payload slices may share this buffer
                bytes = null;
            }
        } finally {
            if (bytes != null) {
                bytes.release();
            }
        }
    }

    /**
     * The bytes of the unfinished packet followed by {@code in}; both are taken. As Netty's merge
     * cumulator: written in place when that needs no new memory, or when nobody else holds the buffer
     * (then it may grow, doubling, so a large packet arriving in pieces is not copied over and over);
     * otherwise copied into a new buffer, because earlier packets' payloads are slices of this one and
     * their bytes must stay where they are.
     */
    private static ByteBuf append(ByteBuf unfinished, ByteBuf in, ByteBufAllocator alloc) {
        try {
            int required = in.readableBytes();
            boolean alone = unfinished.refCnt() == 1;
            if (!unfinished.isReadOnly() && required <= unfinished.maxWritableBytes()
                    && (alone || required <= unfinished.maxFastWritableBytes())) {
                if (alone) {
                    unfinished.discardReadBytes();
                }
                unfinished.writeBytes(in);
                return unfinished;
            }
            int readable = unfinished.readableBytes() + required;
            ByteBuf merged = alloc.buffer(alloc.calculateNewCapacity(readable, Integer.MAX_VALUE));
            merged.writeBytes(unfinished).writeBytes(in);
            unfinished.release();
            return merged;
        } finally {
            in.release();
        }
    }

    /** Frees the bytes of an unfinished packet: the connection is gone. */
    void release() {
        if (unfinished != null) {
            unfinished.release();
            unfinished = null;
        }
        failed = true;
    }
}
