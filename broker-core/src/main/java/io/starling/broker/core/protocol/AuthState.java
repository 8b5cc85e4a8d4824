package io.starling.broker.core.protocol;

import io.starling.broker.core.auth.EnhancedAuthenticator;
import io.starling.mqtt.codec.Connect;

/**
 * One connection's MQTT 5 enhanced authentication (§4.12): its method, the exchange under way, the
 * CONNECT waiting for it to succeed and the server's data for the CONNACK. A {@link Client} has one
 * only when its CONNECT named an authentication method; the others (nearly all) keep a null instead
 * of four fields (issue 16: heap per idle connection). Threading: the client's loop.
 */
final class AuthState {
    /** The connection's authentication method: an AUTH must name it (MQTT-4.12.0-5). */
    final String method;
    /** The exchange under way (at CONNECT or a re-authentication), or null. */
    EnhancedAuthenticator.Exchange exchange;
    /** The CONNECT waiting for the exchange to succeed, or null. */
    Connect pendingConnect;
    /** The server's data of the successful exchange, for the CONNACK, or null. */
    byte[] successData;

    AuthState(String method) {
        this.method = method;
    }
}
