package io.starling.broker.transport;

import io.starling.broker.core.ListenerSettings;
import io.starling.broker.core.auth.SecurityRules;
import java.util.function.Supplier;

/**
 * What differs between listeners besides their address: TLS, WebSocket framing, mosquitto's
 * {@code max_connections} and {@code mount_point}, and what the core reads per listener.
 *
 * @param tls            null for plain TCP
 * @param maxConnections negative for no limit
 * @param mountPoint     prefix of this listener's clients' topics; empty for none
 * @param security       the listener's own password check and ACL, or null for the broker's
 * @param webSocket      MQTT over WebSocket ({@code protocol websockets}), over TLS when {@code tls} is set
 * @param settings       the listener's maximum QoS, topic alias maximum and client-id options as they are
 *                       now (a reload may change the client-id options), or null for the broker-wide ones
 */
public record ListenerOptions(TlsSettings tls, int maxConnections, String mountPoint, SecurityRules security,
                              boolean webSocket, Supplier<ListenerSettings> settings) {
    public static final ListenerOptions PLAIN = new ListenerOptions(null, -1, "", null, false, null);

    public ListenerOptions {
        mountPoint = mountPoint == null ? "" : mountPoint;
    }

    public ListenerOptions(TlsSettings tls, int maxConnections, String mountPoint) {
        this(tls, maxConnections, mountPoint, null, false, null);
    }

    public ListenerOptions(TlsSettings tls, int maxConnections, String mountPoint, SecurityRules security) {
        this(tls, maxConnections, mountPoint, security, false, null);
    }

    public ListenerOptions withWebSocket(boolean value) {
        return new ListenerOptions(tls, maxConnections, mountPoint, security, value, settings);
    }
}
