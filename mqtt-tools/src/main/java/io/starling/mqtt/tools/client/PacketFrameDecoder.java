package io.starling.mqtt.tools.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import io.starling.mqtt.codec.DecodeResult;
import io.starling.mqtt.codec.Malformed;
import io.starling.mqtt.codec.MqttDecoder;
import io.starling.mqtt.codec.NeedMoreData;
import io.starling.mqtt.codec.Packet;
import java.util.List;

/**
 * Cuts the byte stream into packets with {@link MqttDecoder}: every whole packet in a read is decoded in
 * one call, so the handler after it sees a batch and flushes its acknowledgements once, in
 * {@code channelReadComplete}. A PUBLISH payload is a retained slice of the read buffer, not a copy.
 * Bytes the decoder refuses end the connection with a {@link MalformedServerPacketException}.
 */
final class PacketFrameDecoder extends ByteToMessageDecoder {
    private final MqttDecoder decoder;

    PacketFrameDecoder(MqttDecoder decoder) {
        this.decoder = decoder;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            DecodeResult result = decoder.decode(in);
            if (result instanceof Packet packet) {
                out.add(packet);
            } else if (result == NeedMoreData.INSTANCE) {
                return;
            } else {
                in.skipBytes(in.readableBytes());
                throw new DecoderException(new MalformedServerPacketException((Malformed) result));
            }
        }
    }

    /** The server sent bytes that are not a valid packet; the reason code is what a 5.0 DISCONNECT would carry. */
    static final class MalformedServerPacketException extends Exception {
        private final int reasonCode;

        MalformedServerPacketException(Malformed malformed) {
            super("malformed packet from the server: " + malformed.reason(), null, false, false);
            this.reasonCode = malformed.reasonCode();
        }

        int reasonCode() {
            return reasonCode;
        }
    }
}
