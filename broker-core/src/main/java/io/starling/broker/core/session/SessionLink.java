package io.starling.broker.core.session;

import io.starling.broker.core.routing.Delivery;

/**
 * What a session needs from the client connection it is attached to. Implemented by the protocol
 * layer; called only on the session's event loop.
 */
public interface SessionLink {

    /** False while the connection's outbound buffer is over its high-water mark. */
    boolean isWritable();

    /**
     * Sends a PUBLISH for {@code delivery} (packet id 0 for QoS 0). Returns false when the message
     * could not be sent to this client at all (e.g. larger than the client accepts) and was counted
     * as dropped; the caller then forgets it.
     */
    boolean sendPublish(Delivery delivery, int packetId, boolean dup);

    void sendPubRel(int packetId);

    /** The client's Receive Maximum (MQTT 5): at most this many QoS 1/2 messages unacknowledged; 65535 for 3.1.1. */
    int receiveMaximum();
}
