package io.starling.mqtt.codec;

import java.util.Objects;

/**
 * Input the decoder refused, with the reason code the connection should be closed with (0x81
 * malformed packet, 0x82 protocol error, 0x84 unsupported protocol version, 0x95 packet too large,
 * ...) and a reason for the log. After a {@code Malformed} the decoder refuses everything.
 *
 * @param packetType the type from the fixed header, or null when even that was unreadable
 */
public record Malformed(int reasonCode, String reason, PacketType packetType) implements DecodeResult {
    public Malformed {
        Objects.requireNonNull(reason);
    }
}
