package io.starling.mqtt.codec;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * PUBLISH. The payload is a slice of the buffer the packet was read from, never a copy.
 *
 * <p>Ownership: whoever holds a decoded {@code Publish} owns one reference to its payload and must
 * {@link #release()} it (or hand it on). The encoder does not release: it writes a retained
 * duplicate, so one payload can be encoded for many subscribers.
 *
 * @param topic    may be empty in 5.0 when a topic alias stands for it
 * @param packetId 0 for QoS 0
 */
public record Publish(boolean dup, QoS qos, boolean retain, String topic, int packetId,
                      Properties properties, ByteBuf payload) implements Packet {
    public Publish {
        Objects.requireNonNull(qos);
        Objects.requireNonNull(topic);
        Objects.requireNonNull(properties);
        Objects.requireNonNull(payload);
        if (qos == QoS.AT_MOST_ONCE ? packetId != 0 : packetId < 1 || packetId > PacketIds.MAX) {
            throw new IllegalArgumentException("packet identifier " + packetId + " does not fit QoS " + qos.value());
        }
    }

    @Override
    public PacketType type() {
        return PacketType.PUBLISH;
    }

    /** Releases the payload reference this packet holds. */
    public void release() {
        payload.release();
    }

    @Override
    public String toString() {
        return "Publish[dup=" + dup + ", qos=" + qos.value() + ", retain=" + retain + ", topic=" + topic
                + ", packetId=" + packetId + ", properties=" + properties + ", payload=" + payload.readableBytes()
                + " bytes]";
    }
}
