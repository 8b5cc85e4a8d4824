package io.starling.broker.core.routing;

import io.starling.mqtt.codec.QoS;
import java.util.List;

/**
 * One message on its way to one subscriber: the message plus what differs per subscriber.
 *
 * @param qos             min(published QoS, granted QoS)
 * @param retain          the retain flag this subscriber sees
 * @param subscriptionIds MQTT 5 subscription identifiers of the matching subscriptions
 */
public record Delivery(Message message, QoS qos, boolean retain, List<Integer> subscriptionIds) {
    public Delivery {
        subscriptionIds = subscriptionIds == null ? List.of() : subscriptionIds;
    }
}
