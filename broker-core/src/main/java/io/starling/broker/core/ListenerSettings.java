package io.starling.broker.core;

import java.util.Objects;

/**
 * What a listener decides for the clients that connect through it, as in mosquitto: {@code max_qos}
 * and {@code max_topic_alias} are always per listener; {@code allow_zero_length_clientid} and
 * {@code auto_id_prefix} are per listener with {@code per_listener_settings true}, else broker-wide.
 *
 * @param maxQos                  the highest QoS accepted, and announced (Maximum QoS) when below 2
 * @param maxTopicAlias           the Topic Alias Maximum announced to 5.0 clients; 0 = none
 * @param allowZeroLengthClientId whether an empty client id gets an assigned one
 * @param autoIdPrefix            prefix of assigned client ids
 */
public record ListenerSettings(int maxQos, int maxTopicAlias, boolean allowZeroLengthClientId, String autoIdPrefix) {
    public ListenerSettings {
        if (maxQos < 0 || maxQos > 2 || maxTopicAlias < 0 || maxTopicAlias > 65535) {
            throw new IllegalArgumentException("invalid listener settings: maxQos " + maxQos + ", maxTopicAlias "
                    + maxTopicAlias);
        }
        Objects.requireNonNull(autoIdPrefix, "autoIdPrefix");
    }

    /** The broker-wide values: for connections whose listener brings none (the default listener, tests). */
    public static ListenerSettings of(BrokerSettings s) {
        return new ListenerSettings(s.maxQos(), s.maxTopicAlias(), s.allowZeroLengthClientId(), s.autoIdPrefix());
    }
}
