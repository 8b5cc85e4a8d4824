package io.starling.mqtt.tools.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.starling.mqtt.codec.MqttEncoder;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;

/**
 * A QoS 0 PUBLISH encoded once, for a sender that publishes to one topic many times with payloads of one
 * size (the load generator). Each message is a copy of the encoded header followed by a payload written
 * in place, so a message costs one pooled buffer and no packet record, composite buffer, topic encoding
 * or future ({@link MqttClient#publishQos0}).
 *
 * <p>The header comes from {@link MqttEncoder} itself (encoding a zero payload of the right length), so the
 * bytes are the ones {@link MqttClient#publish} would send. Immutable; one template may serve many clients
 * of the same MQTT version.
 */
public final class Qos0Template {
    /** Fills one message's payload: writes exactly {@code length} bytes to {@code out}. */
    @FunctionalInterface
    public interface PayloadWriter {
        void write(ByteBuf out, int length);
    }

    private final byte[] header;
    private final int payloadLength;
    private final MqttVersion version;

    public Qos0Template(String topic, int payloadLength, boolean retain, Properties properties, MqttVersion version) {
        if (payloadLength < 0) {
            throw new IllegalArgumentException("negative payload length: " + payloadLength);
        }
        ByteBuf zeros = Unpooled.wrappedBuffer(new byte[payloadLength]);
        ByteBuf encoded = MqttEncoder.encode(UnpooledByteBufAllocator.DEFAULT,
                new Publish(false, QoS.AT_MOST_ONCE, retain, topic, 0, properties, zeros), version);
        try {
            this.header = ByteBufUtil.getBytes(encoded, encoded.readerIndex(), encoded.readableBytes() - payloadLength);
        } finally {
            encoded.release();
            zeros.release();
        }
        this.payloadLength = payloadLength;
        this.version = version;
    }

    public int payloadLength() {
        return payloadLength;
    }

    /** The whole packet's size on the wire. */
    public int packetLength() {
        return header.length + payloadLength;
    }

    MqttVersion version() {
        return version;
    }

    void writeHeader(ByteBuf out) {
        out.writeBytes(header);
    }
}
