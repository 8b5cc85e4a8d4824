package io.starling.broker.core.protocol;

import io.netty.buffer.Unpooled;
import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.topic.TopicName;
import io.starling.mqtt.codec.PubAck;
import io.starling.mqtt.codec.PubComp;
import io.starling.mqtt.codec.PubRec;
import io.starling.mqtt.codec.PubRel;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.ReasonCode;
import io.starling.mqtt.codec.Will;

/**
 * Incoming PUBLISH and PUBREL (3.1.1 §3.3, §3.6; 5.0 §3.3, §3.6): validates, stores retained
 * messages, routes, and acknowledges. An incoming QoS 2 message is routed once: a resend of its
 * PUBLISH before PUBREL is acknowledged again but not routed again (MQTT-4.3.3-2).
 */
final class PublishHandler {
    private PublishHandler() {
    }

    static void handle(Client client, Publish publish) {
        if (ProtocolLog.packets()) {
            ProtocolLog.received(client.clientId, "PUBLISH", ProtocolLog.describe(publish));
        }
        BrokerCore core = client.core;
        String invalid = TopicName.invalidReason(publish.topic(), core.settings().maxTopicLevels());
        if (invalid != null) {
            publish.release();
            Disconnects.protocolError(client, "PUBLISH with invalid topic: " + invalid); // MQTT-3.3.2-2
            return;
        }
        if (publish.retain() && !core.settings().retainAvailable()) {
            publish.release();
            Disconnects.close(client, ReasonCode.RETAIN_NOT_SUPPORTED, "retained PUBLISH while retain_available is false");
            return;
        }
        int id = publish.packetId();
        if (publish.qos() == QoS.EXACTLY_ONCE && !client.session.beginIncomingQos2(id)) {
            publish.release(); // a resend before PUBREL: already routed
            sendPubRec(client, id);
            return;
        }
        int limit = core.settings().messageSizeLimit();
        if (limit > 0 && publish.payload().readableBytes() > limit) {
            core.drops().packetTooLarge.increment();
            ProtocolLog.LOG.info("Dropped PUBLISH from {} on {}: {} bytes is over message_size_limit {}.",
                    client.clientId, publish.topic(), publish.payload().readableBytes(), limit);
            publish.release();
        } else {
            Message message = new Message(publish.topic(), publish.qos(), publish.retain(), publish.payload(),
                    publish.properties(), client.clientId, Message.NEVER_EXPIRES);
            publishMessage(core, message);
        }
        if (publish.qos() == QoS.AT_LEAST_ONCE) {
            if (ProtocolLog.packets()) {
                ProtocolLog.sending(client.clientId, "PUBACK", "(m" + id + ", rc0)");
            }
            client.write(new PubAck(id));
        } else if (publish.qos() == QoS.EXACTLY_ONCE) {
            sendPubRec(client, id);
        }
    }

    /** Stores and routes a message; takes over the caller's reference. */
    static void publishMessage(BrokerCore core, Message message) {
        if (message.retainFlag()) {
            core.retained().put(message.retain()); // the store takes its own reference
        }
        core.router().route(message);
        message.release();
    }

    static void handlePubRel(Client client, PubRel pubRel) {
        int id = pubRel.packetId();
        if (ProtocolLog.packets()) {
            ProtocolLog.received(client.clientId, "PUBREL", "(Mid: " + id + ")");
        }
        // An unknown id is answered too: the PUBCOMP may have been lost before a reconnect (MQTT-4.3.3).
        client.session.endIncomingQos2(id);
        if (ProtocolLog.packets()) {
            ProtocolLog.sending(client.clientId, "PUBCOMP", "(m" + id + ")");
        }
        client.write(new PubComp(id));
    }

    static void publishWill(Client client, Will will) {
        ProtocolLog.LOG.debug("Sending will of {} to {}", client.clientId, will.topic());
        Message message = new Message(will.topic(), will.qos(), will.retain(), Unpooled.wrappedBuffer(will.payload()),
                will.properties(), client.clientId, Message.NEVER_EXPIRES);
        publishMessage(client.core, message);
    }

    private static void sendPubRec(Client client, int id) {
        if (ProtocolLog.packets()) {
            ProtocolLog.sending(client.clientId, "PUBREC", "(m" + id + ", rc0)");
        }
        client.write(new PubRec(id));
    }
}
