package io.starling.mqtt.codec;

import java.util.Objects;

/** One topic filter of a SUBSCRIBE with its options. */
public record Subscription(String filter, SubscriptionOptions options) {
    public Subscription {
        Objects.requireNonNull(filter);
        Objects.requireNonNull(options);
    }
}
