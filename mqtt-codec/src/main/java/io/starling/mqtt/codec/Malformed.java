package io.starling.mqtt.codec;

import java.util.Objects;

/**
 * Input the decoder refused, with the reason code the connection should be closed with (0x81
 * malformed packet, 0x82 protocol error, 0x84 unsupported protocol version, 0x95 packet too large,
 * ...) and a reason for the log. After a {@code Malformed} the decoder refuses everything.
 *
 * @param packetType the type from the fixed header, or null when the packet could not be framed
 *                   (nothing read, or a Remaining Length in five bytes)
 * @param fault      which rule the input broke, for a receiver that answers some of them differently
 *                   (mosquitto closes without a DISCONNECT on a repeated property or a bad string in
 *                   a property, and says why for the rest of a PUBLISH or SUBSCRIBE)
 */
public record Malformed(int reasonCode, String reason, PacketType packetType, Fault fault) implements DecodeResult {
    /** The rule broken, where a receiver may care about more than the reason code. */
    public enum Fault {
        /** Anything not named below. */
        PACKET,
        /** A property that may appear once appears twice (MQTT 5 §2.2.2.2). */
        DUPLICATE_PROPERTY,
        /** A string in a property value that is not well-formed UTF-8 or holds U+0000 (MQTT 5 §1.5.4). */
        PROPERTY_STRING
    }

    public Malformed {
        Objects.requireNonNull(reason);
        Objects.requireNonNull(fault);
    }

    public Malformed(int reasonCode, String reason, PacketType packetType) {
        this(reasonCode, reason, packetType, Fault.PACKET);
    }
}
