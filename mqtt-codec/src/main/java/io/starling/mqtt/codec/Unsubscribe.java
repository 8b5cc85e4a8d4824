package io.starling.mqtt.codec;

import java.util.List;
import java.util.Objects;

/** UNSUBSCRIBE: at least one topic filter (§3.10.3). */
public record Unsubscribe(int packetId, List<String> filters, Properties properties) implements Packet {
    public Unsubscribe {
        PacketIds.check(packetId);
        filters = List.copyOf(filters);
        Objects.requireNonNull(properties);
    }

    @Override
    public PacketType type() {
        return PacketType.UNSUBSCRIBE;
    }
}
