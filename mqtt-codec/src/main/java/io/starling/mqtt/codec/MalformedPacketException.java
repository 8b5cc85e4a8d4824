package io.starling.mqtt.codec;

/**
 * Thrown inside the decoder when input breaks a rule; {@link MqttDecoder} is the single place that
 * turns it into a {@link Malformed} value. It never leaves the package, so it carries no stack trace
 * (a hostile peer must not be able to make us pay for one per packet).
 */
final class MalformedPacketException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int reasonCode;

    MalformedPacketException(int reasonCode, String message) {
        super(message, null, false, false);
        this.reasonCode = reasonCode;
    }

    static MalformedPacketException malformed(String message) {
        return new MalformedPacketException(ReasonCode.MALFORMED_PACKET, message);
    }

    static MalformedPacketException protocolError(String message) {
        return new MalformedPacketException(ReasonCode.PROTOCOL_ERROR, message);
    }

    int reasonCode() {
        return reasonCode;
    }
}
