package io.starling.mqtt.codec;

import java.util.List;
import java.util.Objects;

/** SUBACK: one return/reason code per subscription, in order. */
public record SubAck(int packetId, List<Integer> reasonCodes, Properties properties) implements Packet {
    public SubAck {
        PacketIds.check(packetId);
        reasonCodes = List.copyOf(reasonCodes);
        Objects.requireNonNull(properties);
    }

    @Override
    public PacketType type() {
        return PacketType.SUBACK;
    }
}
