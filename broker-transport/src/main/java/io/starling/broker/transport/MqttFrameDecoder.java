package io.starling.broker.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.starling.mqtt.codec.DecodeResult;
import io.starling.mqtt.codec.Malformed;
import io.starling.mqtt.codec.MqttDecoder;
import io.starling.mqtt.codec.NeedMoreData;
import java.util.List;

/**
 * Cuts the byte stream into packets with our {@link MqttDecoder}. Emits {@code Packet}s and, at most
 * once, a {@link Malformed}, after which it discards all input (the connection is being closed).
 */
final class MqttFrameDecoder extends ByteToMessageDecoder {
    private final MqttDecoder decoder;
    private boolean failed;

    MqttFrameDecoder(MqttDecoder decoder) {
        this.decoder = decoder;
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
        if (result instanceof Malformed) {
            failed = true;
            in.skipBytes(in.readableBytes());
        }
        out.add(result);
    }
}
