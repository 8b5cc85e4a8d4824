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
 * @param overload            Starling's bounds against hostile and overloaded clients
 */
public record Limits(int maxInflightMessages, long maxInflightBytes, int maxQueuedMessages, long maxQueuedBytes,
                     boolean queueQos0Messages, int messageSizeLimit, int maxPacketSize, int maxKeepalive,
                     OverloadLimits overload) {
    /** Mosquitto 2.0's defaults. */
    public static final Limits DEFAULTS = new Limits(20, 0, 1000, 0, false, 0, 0, 65535);

    /** Mosquitto's limits, with the default overload bounds. */
    public Limits(int maxInflightMessages, long maxInflightBytes, int maxQueuedMessages, long maxQueuedBytes,
                  boolean queueQos0Messages, int messageSizeLimit, int maxPacketSize, int maxKeepalive) {
        this(maxInflightMessages, maxInflightBytes, maxQueuedMessages, maxQueuedBytes, queueQos0Messages,
                messageSizeLimit, maxPacketSize, maxKeepalive, OverloadLimits.DEFAULTS);
    }

    public Limits {
        java.util.Objects.requireNonNull(overload, "overload");
        if (maxInflightMessages < 0 || maxInflightMessages > 65535 || maxInflightBytes < 0 || maxQueuedMessages < 0
                || maxQueuedBytes < 0 || messageSizeLimit < 0 || maxPacketSize < 0 || maxKeepalive < 0
                || maxKeepalive > 65535) {
            throw new IllegalArgumentException("limit out of range: " + this);
        }
    }
}
