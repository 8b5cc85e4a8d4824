package io.starling.broker.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.starling.broker.core.sys.Counter;
import io.starling.broker.core.sys.LoopCounters;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.DecodeResult;
import io.starling.mqtt.codec.Malformed;
import io.starling.mqtt.codec.MqttDecoder;
import io.starling.mqtt.codec.NeedMoreData;
import java.util.List;

/**
 * Cuts the byte stream into packets with our {@link MqttDecoder}. Emits {@code Packet}s and, at most
 * once, a {@link Malformed}, after which it discards all input (the connection is being closed).
 *
 * <p>Until a CONNECT has been read, packets are limited to {@link #MAX_CONNECT_PACKET_SIZE}: a stranger
 * may not make the broker buffer hundreds of megabytes before saying who it is. A CONNECT's fields
 * are length-prefixed strings and binaries of at most 64 KiB each, so a real one fits easily.
 *
 * <p>The bytes of every packet cut are counted ($SYS/broker/bytes/received) on the channel's loop.
 */
final class MqttFrameDecoder extends ByteToMessageDecoder {
    static final int MAX_CONNECT_PACKET_SIZE = 1 << 20;

    private final MqttDecoder decoder;
    private final int maxPacketSize;
    private final LoopCounters counters;
    private boolean failed;

    /** @param counters the counters of the channel's loop */
    MqttFrameDecoder(int maxPacketSize, LoopCounters counters) {
        this.maxPacketSize = maxPacketSize;
        this.counters = counters;
        this.decoder = new MqttDecoder(Math.min(maxPacketSize, MAX_CONNECT_PACKET_SIZE));
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        int start = in.readerIndex();
        DecodeResult result = decoder.decode(in);
        if (result == NeedMoreData.INSTANCE) {
            return;
        }
        counters.add(Counter.BYTES_RECEIVED, in.readerIndex() - start);
        if (result instanceof Connect) {
            decoder.setMaxPacketSize(maxPacketSize);
        } else if (result instanceof Malformed) {
            failed = true;
            in.skipBytes(in.readableBytes());
        }
        out.add(result);
    }
}
