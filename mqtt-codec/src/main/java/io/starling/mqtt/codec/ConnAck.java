package io.starling.mqtt.codec;

import java.util.Objects;

/** CONNACK. {@code reasonCode} is a 3.1.1 return code or a 5.0 reason code, per the connection's version. */
public record ConnAck(boolean sessionPresent, int reasonCode, Properties properties) implements Packet {
    public ConnAck {
        Objects.requireNonNull(properties);
    }

    @Override
    public PacketType type() {
        return PacketType.CONNACK;
    }
}
