package io.starling.broker.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
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
 */
final class MqttFrameDecoder extends ByteToMessageDecoder {
    static final int MAX_CONNECT_PACKET_SIZE = 1 << 20;

    private final MqttDecoder decoder;
    private final int maxPacketSize;
    private boolean failed;

    MqttFrameDecoder(int maxPacketSize) {
        this.maxPacketSize = maxPacketSize;
        this.decoder = new MqttDecoder(Math.min(maxPacketSize, MAX_CONNECT_PACKET_SIZE));
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        DecodeResult result = decoder.decode(in);
        if (result == NeedMoreData.INSTANCE) {
            return;
        }
        if (result instanceof Connect) {
            decoder.setMaxPacketSize(maxPacketSize);
        } else if (result instanceof Malformed) {
            failed = true;
            in.skipBytes(in.readableBytes());
        }
        out.add(result);
    }
}
