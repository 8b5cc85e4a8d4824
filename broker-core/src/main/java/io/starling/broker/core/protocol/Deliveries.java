package io.starling.broker.core.protocol;

import io.starling.broker.core.routing.Delivery;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.time.MessageExpiry;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.Property;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.Publish;

/** Turns a delivery into the PUBLISH one subscriber receives. */
final class Deliveries {
    private Deliveries() {
    }

    /**
     * The outgoing PUBLISH. Its payload is the message's buffer itself, not a new reference: the
     * encoder writes a retained duplicate, and the delivery keeps its own reference.
     *
     * <p>For a 5.0 subscriber: the publisher's properties pass through unchanged except the topic
     * alias (the connection's own) and the subscription identifiers (the subscriber's own); the
     * Message Expiry Interval is lowered to the time left (MQTT-3.3.2-6, in whole seconds as mosquitto:
     * {@link MessageExpiry}); the topic may be replaced
     * by an alias the broker assigned. A 3.1.1 subscriber gets no properties.
     */
    static Publish toPublish(Client client, Delivery d, int packetId, boolean dup) {
        Message m = d.message();
        String topic = m.topic();
        if (!client.mountPoint().isEmpty() && topic.startsWith(client.mountPoint())) {
            topic = topic.substring(client.mountPoint().length()); // the client sees its own namespace
        }
        Properties properties = Properties.EMPTY;
        if (client.version.isV5()) {
            properties = m.properties();
            if (!properties.isEmpty()) {
                properties = properties.without(PropertyId.TOPIC_ALIAS, PropertyId.SUBSCRIPTION_IDENTIFIER);
            }
            if (m.expiryAtNanos() != Message.NEVER_EXPIRES) {
                // Whole seconds left, as mosquitto counts them; 0 in the last second is still sent (MQTT-3.3.2-6).
                long leftSeconds = MessageExpiry.secondsLeft(client.core.clock(), m.expiryAtNanos());
                properties = properties.with(new Property.Number(PropertyId.MESSAGE_EXPIRY_INTERVAL, leftSeconds));
            }
            for (int id : d.subscriptionIds()) {
                properties = properties.with(new Property.Number(PropertyId.SUBSCRIPTION_IDENTIFIER, id));
            }
            if (client.aliases != null) {
                int alias = client.aliases.outbound(topic);
                if (alias != 0) {
                    properties = properties.with(new Property.Number(PropertyId.TOPIC_ALIAS, Math.abs(alias)));
                    if (alias < 0) {
                        topic = "";
                    }
                }
            }
        }
        return new Publish(dup, d.qos(), d.retain(), topic, packetId, properties, m.payload());
    }
}
