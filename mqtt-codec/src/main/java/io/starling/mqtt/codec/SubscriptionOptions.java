package io.starling.mqtt.codec;

import java.util.Objects;

/**
 * The options byte of one SUBSCRIBE entry (5.0 §3.8.3.1). A 3.1.1 subscription has only the QoS;
 * the other options are false/0 for it.
 *
 * @param retainHandling 0 send retained on subscribe, 1 only if the subscription is new, 2 never
 */
public record SubscriptionOptions(QoS qos, boolean noLocal, boolean retainAsPublished, int retainHandling) {
    public SubscriptionOptions {
        Objects.requireNonNull(qos);
        if (retainHandling < 0 || retainHandling > 2) {
            throw new IllegalArgumentException("retain handling out of range: " + retainHandling);
        }
    }

    public static SubscriptionOptions of(QoS qos) {
        return new SubscriptionOptions(qos, false, false, 0);
    }
}
