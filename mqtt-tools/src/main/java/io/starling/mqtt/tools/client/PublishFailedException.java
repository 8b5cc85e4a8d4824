package io.starling.mqtt.tools.client;

/**
 * The server acknowledged a QoS 1 or 2 publish with a failure reason code (0x80 or above, 5.0 §3.4.2.1),
 * in its PUBACK or PUBREC.
 *
 * @see #reasonString() the REASON_STRING property, or null
 */
public final class PublishFailedException extends Exception {
    private final int packetId;
    private final int reasonCode;
    private final String reasonString;

    public PublishFailedException(int packetId, int reasonCode, String reasonString) {
        super(String.format("publish %d failed: reason code 0x%02X%s", packetId, reasonCode,
                reasonString == null ? "" : " (" + reasonString + ")"), null, false, false);
        this.packetId = packetId;
        this.reasonCode = reasonCode;
        this.reasonString = reasonString;
    }

    public int packetId() {
        return packetId;
    }

    public int reasonCode() {
        return reasonCode;
    }

    public String reasonString() {
        return reasonString;
    }
}
