package io.starling.mqtt.codec;

import java.util.List;
import java.util.Objects;

/** SUBSCRIBE: at least one subscription (§3.8.3). */
public record Subscribe(int packetId, List<Subscription> subscriptions, Properties properties) implements Packet {
    public Subscribe {
        PacketIds.check(packetId);
        subscriptions = List.copyOf(subscriptions);
        Objects.requireNonNull(properties);
    }

    @Override
    public PacketType type() {
        return PacketType.SUBSCRIBE;
    }
}
