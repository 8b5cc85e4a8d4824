package io.starling.mqtt.codec;

import java.util.Objects;

/** AUTH (5.0 only). */
public record Auth(int reasonCode, Properties properties) implements Packet {
    public Auth {
        Objects.requireNonNull(properties);
    }

    @Override
    public PacketType type() {
        return PacketType.AUTH;
    }
}
