package io.starling.broker.bridge;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.starling.mqtt.codec.DecodeResult;
import io.starling.mqtt.codec.Malformed;
import io.starling.mqtt.codec.MqttDecoder;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.NeedMoreData;
import io.starling.mqtt.codec.Packet;
import java.util.List;

/**
 * Cuts what the remote broker sends into packets. Two answers end the connection instead of a packet: bytes that
 * are not a valid packet ({@link Malformed}), and the 3.x refusal a broker without MQTT 5 gives a 5.0 CONNECT
 * (CONNACK of two bytes, return code 1), which mosquitto's bridge takes as the sign to connect again in 3.1.1.
 */
final class RemoteCodec extends ByteToMessageDecoder {
    /** Passed on instead of a packet when the remote broker refused MQTT 5 in 3.x words. */
    static final Object REFUSED_V5 = new Object();

    private final MqttDecoder decoder;
    private boolean connAckSeen;

    RemoteCodec(MqttVersion version, int maxPacketSize) {
        decoder = new MqttDecoder(maxPacketSize);
        decoder.setVersion(version);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (!connAckSeen && decoder.version() == MqttVersion.MQTT_5 && in.readableBytes() >= 4
                && in.getUnsignedByte(in.readerIndex()) == 0x20 && in.getUnsignedByte(in.readerIndex() + 1) == 2
                && in.getUnsignedByte(in.readerIndex() + 3) == 1) {
            in.skipBytes(in.readableBytes());
            out.add(REFUSED_V5);
            return;
        }
        while (in.isReadable()) {
            DecodeResult result = decoder.decode(in);
            if (result instanceof Packet packet) {
                connAckSeen = true;
                out.add(packet);
            } else if (result == NeedMoreData.INSTANCE) {
                return;
            } else {
                in.skipBytes(in.readableBytes());
                out.add(result);
                return;
            }
        }
    }
}
