package io.starling.broker.core;

/**
 * The limits and choices the core needs, with Mosquitto 2.0's defaults.
 *
 * @param maxInflightMessages    outgoing QoS 1/2 messages awaiting acknowledgement per client (0 = 65535)
 * @param maxQueuedMessages      messages queued behind the inflight window per client (0 = unlimited)
 * @param maxQueuedBytes         payload bytes queued per client (0 = unlimited)
 * @param queueQos0Messages      whether an offline persistent session queues QoS 0 messages
 * @param maxPacketSize          largest packet accepted, fixed header included
 * @param messageSizeLimit       largest PUBLISH payload accepted (0 = unlimited)
 * @param maxKeepAlive           the largest keepalive a client may ask for (a 3.1.1 client asking more is refused)
 * @param allowZeroLengthClientId whether an empty client id gets an assigned one
 * @param autoIdPrefix           prefix of assigned client ids
 * @param maxTopicLevels         topics and filters with more levels are refused (guards deep recursion and memory)
 * @param retainAvailable        whether retained messages are supported
 * @param connectTimeoutSeconds  a connection that sends no CONNECT in this time is closed
 */
public record BrokerSettings(int maxInflightMessages, int maxQueuedMessages, long maxQueuedBytes,
                             boolean queueQos0Messages, int maxPacketSize, int messageSizeLimit,
                             int maxKeepAlive, boolean allowZeroLengthClientId, String autoIdPrefix,
                             int maxTopicLevels, boolean retainAvailable, int connectTimeoutSeconds) {

    /** The protocol's largest packet: 268,435,455 bytes of remaining length plus a 5-byte fixed header. */
    public static final int PROTOCOL_MAX_PACKET_SIZE = 268_435_455 + 5;

    public BrokerSettings {
        if (maxInflightMessages < 0 || maxQueuedMessages < 0 || maxQueuedBytes < 0 || maxPacketSize < 2
                || messageSizeLimit < 0 || maxKeepAlive < 0 || maxKeepAlive > 65535 || maxTopicLevels < 1) {
            throw new IllegalArgumentException("invalid broker settings: " + this);
        }
    }

    public static BrokerSettings defaults() {
        return new BrokerSettings(20, 1000, 0, false, PROTOCOL_MAX_PACKET_SIZE, 0, 65535, true, "auto-",
                1000, true, 30);
    }

    /** The inflight limit as a count: 0 means no limit other than the packet id space. */
    public int inflightLimit() {
        return maxInflightMessages == 0 ? 65535 : maxInflightMessages;
    }

    public BrokerSettings withMaxInflightMessages(int value) {
        return new BrokerSettings(value, maxQueuedMessages, maxQueuedBytes, queueQos0Messages, maxPacketSize,
                messageSizeLimit, maxKeepAlive, allowZeroLengthClientId, autoIdPrefix, maxTopicLevels,
                retainAvailable, connectTimeoutSeconds);
    }

    public BrokerSettings withMaxQueuedMessages(int value) {
        return new BrokerSettings(maxInflightMessages, value, maxQueuedBytes, queueQos0Messages, maxPacketSize,
                messageSizeLimit, maxKeepAlive, allowZeroLengthClientId, autoIdPrefix, maxTopicLevels,
                retainAvailable, connectTimeoutSeconds);
    }

    public BrokerSettings withMaxPacketSize(int value) {
        return new BrokerSettings(maxInflightMessages, maxQueuedMessages, maxQueuedBytes, queueQos0Messages, value,
                messageSizeLimit, maxKeepAlive, allowZeroLengthClientId, autoIdPrefix, maxTopicLevels,
                retainAvailable, connectTimeoutSeconds);
    }

    public BrokerSettings withQueueQos0Messages(boolean value) {
        return new BrokerSettings(maxInflightMessages, maxQueuedMessages, maxQueuedBytes, value, maxPacketSize,
                messageSizeLimit, maxKeepAlive, allowZeroLengthClientId, autoIdPrefix, maxTopicLevels,
                retainAvailable, connectTimeoutSeconds);
    }
}
