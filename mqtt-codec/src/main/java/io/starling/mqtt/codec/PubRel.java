package io.starling.mqtt.codec;

import java.util.Objects;

/** PUBREL. Reason code and properties are 5.0 only; a 3.1.1 peer always sees success. */
public record PubRel(int packetId, int reasonCode, Properties properties) implements Packet {
    public PubRel {
        PacketIds.check(packetId);
        Objects.requireNonNull(properties);
    }

    public PubRel(int packetId) {
        this(packetId, ReasonCode.SUCCESS, Properties.EMPTY);
    }

    @Override
    public PacketType type() {
        return PacketType.PUBREL;
    }
}
