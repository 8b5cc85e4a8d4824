package io.starling.mqtt.tools.client;

import io.starling.mqtt.codec.MqttVersion;

/**
 * The server answered CONNECT with a CONNACK that refuses the connection.
 *
 * @see #reasonCode() a 3.1.1 return code (1..5) or a 5.0 reason code (0x80 and up), per {@link #version()}
 */
public final class ConnectRefusedException extends Exception {
    private final int reasonCode;
    private final MqttVersion version;

    public ConnectRefusedException(int reasonCode, MqttVersion version) {
        super(String.format("connection refused by the server: %s code 0x%02X", version.isV5() ? "reason" : "return",
                reasonCode), null, false, false);
        this.reasonCode = reasonCode;
        this.version = version;
    }

    public int reasonCode() {
        return reasonCode;
    }

    public MqttVersion version() {
        return version;
    }
}
