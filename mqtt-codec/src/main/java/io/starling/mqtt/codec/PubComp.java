package io.starling.mqtt.codec;

import java.util.Objects;

/** PUBCOMP. Reason code and properties are 5.0 only; a 3.1.1 peer always sees success. */
public record PubComp(int packetId, int reasonCode, Properties properties) implements Packet {
    public PubComp {
        PacketIds.check(packetId);
        Objects.requireNonNull(properties);
    }

    public PubComp(int packetId) {
        this(packetId, ReasonCode.SUCCESS, Properties.EMPTY);
    }

    @Override
    public PacketType type() {
        return PacketType.PUBCOMP;
    }
}
