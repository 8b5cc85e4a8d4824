package io.starling.broker.transport;

/**
 * What differs between listeners besides their address: TLS, mosquitto's {@code max_connections}
 * and {@code mount_point}.
 *
 * @param tls            null for plain TCP
 * @param maxConnections negative for no limit
 * @param mountPoint     prefix of this listener's clients' topics; empty for none
 */
public record ListenerOptions(TlsSettings tls, int maxConnections, String mountPoint) {
    public static final ListenerOptions PLAIN = new ListenerOptions(null, -1, "");

    public ListenerOptions {
        mountPoint = mountPoint == null ? "" : mountPoint;
    }
}
