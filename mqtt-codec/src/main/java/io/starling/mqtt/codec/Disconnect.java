package io.starling.mqtt.codec;

import java.util.Objects;

/** DISCONNECT. Reason code and properties are 5.0 only (and may be sent by the server in 5.0). */
public record Disconnect(int reasonCode, Properties properties) implements Packet {
    public static final Disconnect NORMAL = new Disconnect(ReasonCode.NORMAL_DISCONNECTION, Properties.EMPTY);

    public Disconnect {
        Objects.requireNonNull(properties);
    }

    @Override
    public PacketType type() {
        return PacketType.DISCONNECT;
    }
}
