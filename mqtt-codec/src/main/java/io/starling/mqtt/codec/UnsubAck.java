package io.starling.mqtt.codec;

import java.util.List;
import java.util.Objects;

/** UNSUBACK. 5.0 carries one reason code per filter; 3.1.1 carries none (an empty list). */
public record UnsubAck(int packetId, List<Integer> reasonCodes, Properties properties) implements Packet {
    public UnsubAck {
        PacketIds.check(packetId);
        reasonCodes = List.copyOf(reasonCodes);
        Objects.requireNonNull(properties);
    }

    @Override
    public PacketType type() {
        return PacketType.UNSUBACK;
    }
}
