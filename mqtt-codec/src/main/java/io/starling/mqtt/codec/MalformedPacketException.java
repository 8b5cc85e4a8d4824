package io.starling.mqtt.codec;

/**
 * Thrown inside the decoder when input breaks a rule; {@link MqttDecoder} is the single place that
 * turns it into a {@link Malformed} value. It never leaves the package, so it carries no stack trace
 * (a hostile peer must not be able to make us pay for one per packet).
 */
final class MalformedPacketException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int reasonCode;
    private final Malformed.Fault fault;

    MalformedPacketException(int reasonCode, String message) {
        this(reasonCode, message, Malformed.Fault.PACKET);
    }

    MalformedPacketException(int reasonCode, String message, Malformed.Fault fault) {
        super(message, null, false, false);
        this.reasonCode = reasonCode;
        this.fault = fault;
    }

    static MalformedPacketException malformed(String message) {
        return new MalformedPacketException(ReasonCode.MALFORMED_PACKET, message);
    }

    static MalformedPacketException protocolError(String message) {
        return new MalformedPacketException(ReasonCode.PROTOCOL_ERROR, message);
    }

    /** A string in a property value that is not an MQTT UTF-8 string (ill-formed, or U+0000): 0x81. */
    static MalformedPacketException propertyString(String message) {
        return new MalformedPacketException(ReasonCode.MALFORMED_PACKET, message, Malformed.Fault.PROPERTY_STRING);
    }

    int reasonCode() {
        return reasonCode;
    }

    Malformed.Fault fault() {
        return fault;
    }
}
