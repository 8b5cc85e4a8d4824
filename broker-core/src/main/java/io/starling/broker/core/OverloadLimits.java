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
 */
public record OverloadLimits(long maxOutgoingBytes, long maxLoopBacklogBytes, int maxConnectBytes,
                             int maxConnectingClients, long maxConnectingBytes) {
    public static final OverloadLimits DEFAULTS =
            new OverloadLimits(16L << 20, 16L << 20, 64 << 10, 1024, 32L << 20);

    public OverloadLimits {
        if (maxOutgoingBytes < 0 || maxLoopBacklogBytes < 1 || maxConnectBytes < 64 || maxConnectingClients < 0
                || maxConnectingBytes < 0) {
            throw new IllegalArgumentException("invalid overload limits: " + this);
        }
    }
}
