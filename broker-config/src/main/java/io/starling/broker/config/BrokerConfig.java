package io.starling.broker.config;

import java.util.List;

/**
 * What a mosquitto.conf says, as immutable values. Knows nothing of the objects it configures.
 * Defaults are Mosquitto 2.0's.
 *
 * @param listeners       empty means "no listener configured": the broker listens on localhost:1883 only
 * @param allowAnonymous  null when not set (its default depends on whether listeners are configured)
 */
public record BrokerConfig(List<ListenerConfig> listeners, Boolean allowAnonymous, int maxInflightMessages,
                           int maxQueuedMessages, long maxQueuedBytes, boolean queueQos0Messages,
                           int maxPacketSize, int messageSizeLimit, int maxKeepalive,
                           boolean allowZeroLengthClientId, String autoIdPrefix, boolean retainAvailable,
                           List<String> warnings) {
    public BrokerConfig {
        listeners = List.copyOf(listeners);
        warnings = List.copyOf(warnings);
    }

    /** Mosquitto's behaviour without a config file. */
    public static BrokerConfig defaults() {
        return new BrokerConfig(List.of(), null, 20, 1000, 0, false, 0, 0, 65535, true, "auto-", true, List.of());
    }

    /** The same config with {@code allow_anonymous} set. */
    public BrokerConfig withAllowAnonymous(boolean value) {
        return new BrokerConfig(listeners, value, maxInflightMessages, maxQueuedMessages, maxQueuedBytes,
                queueQos0Messages, maxPacketSize, messageSizeLimit, maxKeepalive, allowZeroLengthClientId,
                autoIdPrefix, retainAvailable, warnings);
    }

    /** The same config listening on the given listeners instead. */
    public BrokerConfig withListeners(List<ListenerConfig> value) {
        return new BrokerConfig(value, allowAnonymous, maxInflightMessages, maxQueuedMessages, maxQueuedBytes,
                queueQos0Messages, maxPacketSize, messageSizeLimit, maxKeepalive, allowZeroLengthClientId,
                autoIdPrefix, retainAvailable, warnings);
    }
}
