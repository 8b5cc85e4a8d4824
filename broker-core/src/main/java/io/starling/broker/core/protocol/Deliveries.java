package io.starling.broker.core.protocol;

import io.starling.broker.core.routing.Delivery;
import io.starling.broker.core.routing.Message;
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
     */
    static Publish toPublish(Client client, Delivery d, int packetId, boolean dup) {
        Message m = d.message();
        Properties properties = Properties.EMPTY;
        if (client.version.isV5()) {
            properties = m.properties();
            if (!properties.isEmpty()) {
                // A topic alias belongs to one connection; subscription ids are the subscriber's own.
                properties = properties.without(PropertyId.TOPIC_ALIAS, PropertyId.SUBSCRIPTION_IDENTIFIER);
            }
            for (int id : d.subscriptionIds()) {
                properties = properties.with(new Property.Number(PropertyId.SUBSCRIPTION_IDENTIFIER, id));
            }
        }
        return new Publish(dup, d.qos(), d.retain(), m.topic(), packetId, properties, m.payload());
    }
}
