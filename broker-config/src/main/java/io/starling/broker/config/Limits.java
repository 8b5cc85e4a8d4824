package io.starling.broker.config;

/**
 * Flow and size limits; they apply to the whole broker.
 *
 * @param maxInflightMessages {@code max_inflight_messages}: outgoing QoS 1/2 messages in flight per
 *                            client (the MQTT 5 Receive Maximum we honour); 0 means no limit
 * @param maxInflightBytes    {@code max_inflight_bytes}; 0 means no limit
 * @param maxQueuedMessages   {@code max_queued_messages}: per client, beyond those in flight; 0 means no limit
 * @param maxQueuedBytes      {@code max_queued_bytes}; 0 means no limit
 * @param queueQos0Messages   {@code queue_qos0_messages}: queue QoS 0 for offline persistent clients
 * @param messageSizeLimit    {@code message_size_limit}: largest accepted payload; 0 means the MQTT maximum
 * @param maxPacketSize       {@code max_packet_size}: largest accepted packet; 0 means no limit
 * @param maxKeepalive        {@code max_keepalive}: 10-65535 seconds
 * @param maxSubscribeFilters {@code max_subscribe_filters}: filters one SUBSCRIBE may carry (Starling's;
 *                            the rest are refused in SUBACK); 0 means no limit
 * @param passwordCheckThreads {@code password_check_threads} (Starling's): threads that run slow password
 *                            hashes (argon2id) off the event loops
 * @param maxPendingPasswordChecks {@code max_pending_password_checks} (Starling's): logins that may wait for
 *                            those threads; one more is refused as server busy
 * @param overload            Starling's bounds against hostile and overloaded clients
 */
public record Limits(int maxInflightMessages, long maxInflightBytes, int maxQueuedMessages, long maxQueuedBytes,
                     boolean queueQos0Messages, int messageSizeLimit, int maxPacketSize, int maxKeepalive,
                     int maxSubscribeFilters, int passwordCheckThreads, int maxPendingPasswordChecks,
                     OverloadLimits overload) {
    public static final int DEFAULT_MAX_SUBSCRIBE_FILTERS = 1000;
    public static final int DEFAULT_PASSWORD_CHECK_THREADS = 2;
    public static final int DEFAULT_MAX_PENDING_PASSWORD_CHECKS = 16;
    /** Mosquitto 2.0's defaults, and Starling's for its own limits. */
    public static final Limits DEFAULTS = new Limits(20, 0, 1000, 0, false, 0, 0, 65535);

    public Limits {
        java.util.Objects.requireNonNull(overload, "overload");
        if (maxInflightMessages < 0 || maxInflightMessages > 65535 || maxInflightBytes < 0 || maxQueuedMessages < 0
                || maxQueuedBytes < 0 || messageSizeLimit < 0 || maxPacketSize < 0 || maxKeepalive < 0
                || maxKeepalive > 65535 || maxSubscribeFilters < 0 || passwordCheckThreads < 1
                || maxPendingPasswordChecks < 1) {
            throw new IllegalArgumentException("limit out of range: " + this);
        }
    }

    /** Mosquitto's limits, with Starling's own at their defaults. */
    public Limits(int maxInflightMessages, long maxInflightBytes, int maxQueuedMessages, long maxQueuedBytes,
                  boolean queueQos0Messages, int messageSizeLimit, int maxPacketSize, int maxKeepalive) {
        this(maxInflightMessages, maxInflightBytes, maxQueuedMessages, maxQueuedBytes, queueQos0Messages,
                messageSizeLimit, maxPacketSize, maxKeepalive, DEFAULT_MAX_SUBSCRIBE_FILTERS);
    }

    /** Mosquitto's limits and the SUBSCRIBE filter cap, with Starling's others at their defaults. */
    public Limits(int maxInflightMessages, long maxInflightBytes, int maxQueuedMessages, long maxQueuedBytes,
                  boolean queueQos0Messages, int messageSizeLimit, int maxPacketSize, int maxKeepalive,
                  int maxSubscribeFilters) {
        this(maxInflightMessages, maxInflightBytes, maxQueuedMessages, maxQueuedBytes, queueQos0Messages,
                messageSizeLimit, maxPacketSize, maxKeepalive, maxSubscribeFilters, DEFAULT_PASSWORD_CHECK_THREADS,
                DEFAULT_MAX_PENDING_PASSWORD_CHECKS, OverloadLimits.DEFAULTS);
    }

    /** Mosquitto's limits and the password check queue, with Starling's others at their defaults. */
    public Limits(int maxInflightMessages, long maxInflightBytes, int maxQueuedMessages, long maxQueuedBytes,
                  boolean queueQos0Messages, int messageSizeLimit, int maxPacketSize, int maxKeepalive,
                  int passwordCheckThreads, int maxPendingPasswordChecks) {
        this(maxInflightMessages, maxInflightBytes, maxQueuedMessages, maxQueuedBytes, queueQos0Messages,
                messageSizeLimit, maxPacketSize, maxKeepalive, DEFAULT_MAX_SUBSCRIBE_FILTERS, passwordCheckThreads,
                maxPendingPasswordChecks, OverloadLimits.DEFAULTS);
    }
}
