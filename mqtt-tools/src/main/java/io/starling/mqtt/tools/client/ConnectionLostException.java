package io.starling.mqtt.tools.client;

/** The connection closed while a request was still waiting for its answer, or before the CONNACK. */
public final class ConnectionLostException extends Exception {
    public ConnectionLostException(String message) {
        super(message, null, false, false);
    }
}
