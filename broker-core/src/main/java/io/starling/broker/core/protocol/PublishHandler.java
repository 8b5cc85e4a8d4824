package io.starling.broker.core.protocol;

import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.sys.Counter;
import io.starling.broker.core.topic.TopicName;
import io.starling.mqtt.codec.PubAck;
import io.starling.mqtt.codec.PubComp;
import io.starling.mqtt.codec.PubRec;
import io.starling.mqtt.codec.PubRel;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.ReasonCode;
import java.util.concurrent.TimeUnit;

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
        client.counters.increment(Counter.publishReceived(publish.qos()));
        client.counters.add(Counter.publishBytesReceived(publish.qos()), publish.payload().readableBytes());
        BrokerCore core = client.core;
        if (publish.properties().numbers(PropertyId.SUBSCRIPTION_IDENTIFIER).size() > 1) {
            publish.release(); // repeated: mosquitto's duplicate property, closed without a DISCONNECT
            Disconnects.silently(client, "PUBLISH with more than one subscription identifier");
            return;
        }
        // Checked in mosquitto 2.0.11's order (measured): QoS, retain, topic alias, then the topic.
        if (publish.qos().value() > core.settings().maxQos()) {
            publish.release();
            Disconnects.disconnect(client, ReasonCode.QOS_NOT_SUPPORTED, "PUBLISH at QoS " + publish.qos().value()
                    + " above the maximum QoS " + core.settings().maxQos()); // MQTT-3.2.2-11
            return;
        }
        if (publish.retain() && !core.settings().retainAvailable()) {
            publish.release();
            Disconnects.disconnect(client, ReasonCode.RETAIN_NOT_SUPPORTED, "retained PUBLISH while retain_available is false");
            return;
        }
        String topic = resolveTopic(client, publish);
        if (topic == null) {
            publish.release();
            return; // the connection is closing
        }
        String invalid = TopicName.invalidReason(topic, core.settings().maxTopicLevels());
        if (invalid == null && !client.mountPoint.isEmpty()) {
            topic = client.mountPoint + topic; // mount_point: this listener's clients live under a prefix
        }
        if (invalid != null) {
            publish.release();
            // MQTT-3.3.2-2; 0x82 as mosquitto, which checks a topic name after the properties
            Disconnects.disconnect(client, ReasonCode.PROTOCOL_ERROR, "PUBLISH with invalid topic: " + invalid);
            return;
        }
        int id = publish.packetId();
        if (publish.qos() == QoS.EXACTLY_ONCE) {
            if (!client.session.beginIncomingQos2(id)) {
                publish.release(); // a resend before PUBREL: already routed
                sendPubRec(client, id, ReasonCode.SUCCESS);
                return;
            }
            if (client.version.isV5() && client.session.incomingQos2Count() > core.settings().inflightLimit()) {
                client.session.endIncomingQos2(id);
                publish.release();
                // MQTT-3.3.4-9: more unacknowledged QoS 2 messages than the Receive Maximum we announced.
                Disconnects.disconnect(client, ReasonCode.RECEIVE_MAXIMUM_EXCEEDED, "more than "
                        + core.settings().inflightLimit() + " QoS 2 messages awaiting PUBREL");
                return;
            }
        }
        int reasonCode;
        if (!client.publishAcl().mayPublish(client.security.authorizer(), client.identity, topic)) {
            // Denied by the ACL: dropped; 3.1.1 gets a normal ack, as mosquitto does, 5.0 gets 0x87.
            core.drops().notAuthorized.increment();
            ProtocolLog.LOG.debug("Denied PUBLISH from {} to '{}'.", client.clientId, topic);
            publish.release();
            reasonCode = ReasonCode.NOT_AUTHORIZED;
        } else {
            reasonCode = accept(client, publish, topic);
        }
        if (publish.qos() == QoS.AT_LEAST_ONCE) {
            if (ProtocolLog.packets()) {
                ProtocolLog.sending(client.clientId, "PUBACK", "(m" + id + ", rc" + reasonCode + ")");
            }
            StateReports.send(client, client.version.isV5() ? new PubAck(id, reasonCode, Properties.EMPTY) : new PubAck(id),
                    () -> refuse(client, new PubAck(id, ReasonCode.UNSPECIFIED_ERROR, Properties.EMPTY)));
        } else if (publish.qos() == QoS.EXACTLY_ONCE) {
            if (reasonCode >= ReasonCode.UNSPECIFIED_ERROR) {
                client.session.endIncomingQos2(id); // a refused QoS 2 flow ends with the PUBREC (MQTT-4.3.3)
            } else {
                client.session.storeIncomingQos2(id);
            }
            sendPubRec(client, id, reasonCode);
        }
    }

    /**
     * A PUBLISH whose message could not be made durable: 5.0 gets {@code ack} (reason 0x80), 3.1.1 no
     * acknowledgement at all, so that the client sends it again (mosquitto has no such case; this is
     * what the spec allows, MQTT 5 §3.4.2.1, 3.1.1 §4.4).
     */
    private static void refuse(Client client, io.starling.mqtt.codec.Packet ack) {
        ProtocolLog.LOG.debug("Refused a PUBLISH from {}: the session store could not make it durable.", client.clientId);
        if (client.version.isV5()) {
            client.write(ack);
        }
    }

    /**
     * The topic a PUBLISH is for, after its topic alias (MQTT 5 §3.3.2.3.4); null when the alias is
     * invalid and the connection is being closed.
     */
    private static String resolveTopic(Client client, Publish publish) {
        long alias = publish.properties().number(PropertyId.TOPIC_ALIAS, -1);
        if (alias < 0) { // no Topic Alias property; an alias of 0 is invalid (MQTT-3.3.2-8)
            if (publish.topic().isEmpty() && client.version.isV5()) {
                Disconnects.disconnect(client, ReasonCode.PROTOCOL_ERROR, "PUBLISH with neither topic nor topic alias"); // MQTT-3.3.2-1
                return null;
            }
            return publish.topic();
        }
        if (client.aliases == null || !client.aliases.isValidInbound((int) alias)) {
            Disconnects.disconnect(client, ReasonCode.TOPIC_ALIAS_INVALID, "topic alias " + alias + " outside 1.."
                    + client.core.settings().maxTopicAlias()); // MQTT-3.3.2-8, -9, -10
            return null;
        }
        if (publish.topic().isEmpty()) {
            String known = client.aliases.inbound((int) alias);
            if (known == null) {
                Disconnects.disconnect(client, ReasonCode.PROTOCOL_ERROR, "topic alias " + alias + " used before it was set");
                return null;
            }
            return known;
        }
        client.aliases.setInbound((int) alias, publish.topic());
        return publish.topic();
    }

    /**
     * Stores and routes an accepted PUBLISH (taking over its payload reference) and returns the
     * reason code for its acknowledgement.
     */
    private static int accept(Client client, Publish publish, String topic) {
        BrokerCore core = client.core;
        int limit = core.settings().messageSizeLimit();
        if (limit > 0 && publish.payload().readableBytes() > limit) {
            core.drops().packetTooLarge.increment();
            ProtocolLog.LOG.info("Dropped PUBLISH from {} on {}: {} bytes is over message_size_limit {}.",
                    client.clientId, topic, publish.payload().readableBytes(), limit);
            publish.release();
            return ReasonCode.PACKET_TOO_LARGE;
        }
        // The Payload Format Indicator is passed on, not checked (the spec allows either; mosquitto
        // 2.0.11 passes it on). A Subscription Identifier from a client is dropped, as mosquitto does:
        // the spec forbids it (MQTT-3.3.4-6) but names no reaction, and it must not reach subscribers.
        Properties properties = publish.properties().without(PropertyId.SUBSCRIPTION_IDENTIFIER);
        Message message = new Message(topic, publish.qos(), publish.retain(), publish.payload(),
                properties, client.clientId, expiryAt(core, properties));
        int receivers = publishMessage(core, message);
        return receivers == 0 ? ReasonCode.NO_MATCHING_SUBSCRIBERS : ReasonCode.SUCCESS;
    }

    /**
     * When a message with these properties expires, on the broker's clock. An interval of 0 means no
     * expiry, as in mosquitto (db__message_store): otherwise such a message would be dropped even for
     * subscribers online at the moment it arrives.
     */
    static long expiryAt(BrokerCore core, Properties properties) {
        long seconds = properties.number(PropertyId.MESSAGE_EXPIRY_INTERVAL, 0);
        return seconds <= 0 ? Message.NEVER_EXPIRES : core.clock().nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    }

    /** Stores and routes a message; takes over the caller's reference. Returns the number of receivers. */
    static int publishMessage(BrokerCore core, Message message) {
        if (message.retainFlag()) {
            if (message.payloadSize() == 0) {
                core.store().deleteRetained(message.topic());
            } else {
                core.store().saveRetained(message);
            }
            core.retained().put(message.retain().compacted()); // the store takes its own reference
        }
        int receivers = core.router().route(message);
        message.release();
        return receivers;
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
        // Withheld when the end of the flow is not on disk: the client sends PUBREL again.
        StateReports.send(client, new PubComp(id));
    }

    private static void sendPubRec(Client client, int id, int reasonCode) {
        if (ProtocolLog.packets()) {
            ProtocolLog.sending(client.clientId, "PUBREC", "(m" + id + ", rc" + reasonCode + ")");
        }
        StateReports.send(client, client.version.isV5() ? new PubRec(id, reasonCode, Properties.EMPTY) : new PubRec(id),
                () -> {
                    // Not durable: the flow ends here, so that the client's resend is routed again.
                    client.session.endIncomingQos2(id);
                    refuse(client, new PubRec(id, ReasonCode.UNSPECIFIED_ERROR, Properties.EMPTY));
                });
    }
}
