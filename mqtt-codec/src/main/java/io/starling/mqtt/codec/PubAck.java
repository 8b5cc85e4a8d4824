package io.starling.mqtt.codec;

import java.util.Objects;

/** PUBACK. Reason code and properties are 5.0 only; a 3.1.1 peer always sees success. */
public record PubAck(int packetId, int reasonCode, Properties properties) implements Packet {
    public PubAck {
        PacketIds.check(packetId);
        Objects.requireNonNull(properties);
    }

    public PubAck(int packetId) {
        this(packetId, ReasonCode.SUCCESS, Properties.EMPTY);
    }

    @Override
    public PacketType type() {
        return PacketType.PUBACK;
    }
}
