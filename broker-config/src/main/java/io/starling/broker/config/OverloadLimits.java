package io.starling.broker.config;

/**
 * The bounds against hostile and overloaded clients (Starling's own options; mosquitto has none of
 * them). See docs/security.md.
 *
 * @param maxOutgoingBytes     {@code max_outgoing_bytes}: unsent bytes to one connection above which it
 *                             is disconnected; 0 means no limit
 * @param maxLoopBacklogBytes  {@code max_loop_backlog_bytes}: payload bytes waiting for one event loop
 *                             from the others above which its publishers are paused and QoS 0 dropped
 * @param maxConnectBytes      {@code max_connect_bytes}: bytes a connection may send before its CONNECT
 *                             is accepted, handshakes included
 * @param maxConnectingClients {@code max_connecting_clients}: connections per listener that have not
 *                             finished CONNECT; 0 means no limit
 * @param maxConnectingBytes   {@code max_connecting_bytes}: bytes per listener from connections that have
 *                             not finished CONNECT; 0 means no limit
 * @param maxHeldQos2Bytes     {@code max_held_qos2_bytes}: payload bytes of QoS 2 messages awaiting PUBREL
 *                             that a 3.1.1/3.1 client may have beyond its receive quota before it is
 *                             disconnected; 0 means none beyond the quota
 */
public record OverloadLimits(long maxOutgoingBytes, long maxLoopBacklogBytes, int maxConnectBytes,
                             int maxConnectingClients, long maxConnectingBytes, long maxHeldQos2Bytes) {
    public static final long DEFAULT_MAX_HELD_QOS2_BYTES = 16L << 20;
    public static final OverloadLimits DEFAULTS =
            new OverloadLimits(16L << 20, 16L << 20, 64 << 10, 1024, 32L << 20, DEFAULT_MAX_HELD_QOS2_BYTES);

    public OverloadLimits {
        if (maxOutgoingBytes < 0 || maxLoopBacklogBytes < 1 || maxConnectBytes < 64 || maxConnectingClients < 0
                || maxConnectingBytes < 0 || maxHeldQos2Bytes < 0) {
            throw new IllegalArgumentException("limit out of range: " + this);
        }
    }

    /** The connection bounds, with {@code max_held_qos2_bytes} at its default. */
    public OverloadLimits(long maxOutgoingBytes, long maxLoopBacklogBytes, int maxConnectBytes,
                          int maxConnectingClients, long maxConnectingBytes) {
        this(maxOutgoingBytes, maxLoopBacklogBytes, maxConnectBytes, maxConnectingClients, maxConnectingBytes,
                DEFAULT_MAX_HELD_QOS2_BYTES);
    }
}
