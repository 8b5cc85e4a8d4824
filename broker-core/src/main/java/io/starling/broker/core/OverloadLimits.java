package io.starling.broker.core;

/**
 * The bounds that keep memory flat under hostile or overloaded clients (docs/security.md). Every
 * queue between a socket and the heap has one here or in {@link BrokerSettings}'s queue limits.
 *
 * @param maxOutgoingBytes     bytes waiting to be sent to one connection above which it is disconnected
 *                             ({@code max_outgoing_bytes}; reading it stops well before, at the write
 *                             buffer's high-water mark); 0 = no limit
 * @param maxLoopBacklogBytes  payload bytes handed to one event loop by the others and not yet taken
 *                             ({@code max_loop_backlog_bytes}); above it the publishers feeding it are
 *                             paused and QoS 0 messages for it are dropped, below half of it they resume
 * @param maxConnectBytes      bytes one connection may send before its CONNECT is accepted, TLS and
 *                             WebSocket handshakes included ({@code max_connect_bytes})
 * @param maxConnectingClients connections per listener that have not finished CONNECT
 *                             ({@code max_connecting_clients}); more are closed at accept; 0 = no limit
 * @param maxConnectingBytes   bytes per listener received from connections that have not finished
 *                             CONNECT ({@code max_connecting_bytes}); 0 = no limit
 * @param maxHeldQos2Bytes     payload bytes of QoS 2 messages awaiting PUBREL that a 3.x client may have
 *                             beyond its receive quota, which it cannot be told about
 *                             ({@code max_held_qos2_bytes}); past it the client is disconnected without
 *                             an acknowledgement, so it sends the message again; 0 = none beyond the quota
 */
public record OverloadLimits(long maxOutgoingBytes, long maxLoopBacklogBytes, int maxConnectBytes,
                             int maxConnectingClients, long maxConnectingBytes, long maxHeldQos2Bytes) {
    public static final long DEFAULT_MAX_HELD_QOS2_BYTES = 16L << 20;
    public static final OverloadLimits DEFAULTS =
            new OverloadLimits(16L << 20, 16L << 20, 64 << 10, 1024, 32L << 20, DEFAULT_MAX_HELD_QOS2_BYTES);

    public OverloadLimits {
        if (maxOutgoingBytes < 0 || maxLoopBacklogBytes < 1 || maxConnectBytes < 64 || maxConnectingClients < 0
                || maxConnectingBytes < 0 || maxHeldQos2Bytes < 0) {
            throw new IllegalArgumentException("invalid overload limits: " + this);
        }
    }

    /** The connection bounds, with {@code max_held_qos2_bytes} at its default. */
    public OverloadLimits(long maxOutgoingBytes, long maxLoopBacklogBytes, int maxConnectBytes,
                          int maxConnectingClients, long maxConnectingBytes) {
        this(maxOutgoingBytes, maxLoopBacklogBytes, maxConnectBytes, maxConnectingClients, maxConnectingBytes,
                DEFAULT_MAX_HELD_QOS2_BYTES);
    }
}
