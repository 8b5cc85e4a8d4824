package io.starling.broker.core.routing;

import io.starling.mqtt.codec.SubscriptionOptions;

/**
 * What the subscription tree stores for one (filter, session): the options the session asked for and
 * its MQTT 5 subscription identifier (0 when none).
 */
public record SubscriberOptions(SubscriptionOptions options, int subscriptionId) {
}
