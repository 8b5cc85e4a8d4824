package io.starling.mqtt.codec;

/** Control packet types, numbered as in the first nibble of the fixed header. */
public enum PacketType {
    RESERVED,
    CONNECT,
    CONNACK,
    PUBLISH,
    PUBACK,
    PUBREC,
    PUBREL,
    PUBCOMP,
    SUBSCRIBE,
    SUBACK,
    UNSUBSCRIBE,
    UNSUBACK,
    PINGREQ,
    PINGRESP,
    DISCONNECT,
    AUTH;

    private static final PacketType[] BY_VALUE = values();

    public int value() {
        return ordinal();
    }

    public static PacketType of(int value) {
        return BY_VALUE[value];
    }

    /** The flags the fixed header must carry for this type; PUBLISH's flags are variable. */
    public int requiredFlags() {
        return this == PUBREL || this == SUBSCRIBE || this == UNSUBSCRIBE ? 0b0010 : 0;
    }

    /** Packets only a server sends: a client sending one commits a protocol violation. */
    public boolean isServerToClientOnly() {
        return this == CONNACK || this == SUBACK || this == UNSUBACK || this == PINGRESP;
    }
}
