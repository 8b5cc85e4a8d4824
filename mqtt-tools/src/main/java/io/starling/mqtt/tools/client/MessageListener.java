package io.starling.mqtt.tools.client;

import io.starling.mqtt.codec.Disconnect;
import io.starling.mqtt.codec.Publish;

/**
 * What a {@link MqttClient} tells its user. Every method is called on the connection's event loop, so it
 * must not block; a slow listener delays the connection's reads and acknowledgements.
 */
public interface MessageListener {
    /**
     * An application message arrived. The client acknowledges it (PUBACK, or PUBREC then PUBCOMP) after
     * this returns. The payload is released after the call: a listener that keeps it must
     * {@code retain()} it and release it later.
     */
    void onMessage(MqttClient client, Publish publish);

    /** The server sent DISCONNECT (5.0); the connection closes next and {@link #onClosed} follows. */
    default void onDisconnect(MqttClient client, Disconnect disconnect) {
    }

    /**
     * The connection's outbound buffer went back below its low-water mark: a producer that stopped because
     * {@link MqttClient#isWritable()} was false may go on.
     */
    default void onWritable(MqttClient client) {
    }

    /** The connection is gone: {@code cause} is null after a DISCONNECT this client sent. */
    default void onClosed(MqttClient client, Throwable cause) {
    }
}
