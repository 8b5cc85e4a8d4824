package io.starling.broker.core.protocol;

import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.control.ControlTopics;
import io.starling.broker.core.RateLimitedLog;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.session.IncomingMessages;
import io.starling.broker.core.time.MessageExpiry;
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

/**
 * Incoming PUBLISH and PUBREL (3.1.1 §3.3, §3.6; 5.0 §3.3, §3.6): validates, stores retained
 * messages, routes, and acknowledges, in mosquitto 2.0.11's order (handle_publish.c, handle_pubrel.c).
 * A QoS 2 message is held from its PUBLISH to its PUBREL and passed on then (method B): a resend of
 * its PUBLISH before PUBREL is acknowledged again but not passed on again (MQTT-4.3.3-2), so its PUBREC
 * never says 0x10 "No matching subscribers". Refusals: {@code message_size_limit} (0x95), the ACL (0x87),
 * the receive quota ({@link ReceiveQuota}, 0x97). The Payload Format Indicator is passed on, not
 * checked (the spec lets the receiver choose; mosquitto 2.0.11 passes it on, measured).
 */
final class PublishHandler {
    private static final RateLimitedLog DROPS = new RateLimitedLog();

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
        if (publish.qos().value() > client.listener.maxQos()) {
            publish.release();
            Disconnects.disconnect(client, ReasonCode.QOS_NOT_SUPPORTED, "PUBLISH at QoS " + publish.qos().value()
                    + " above the maximum QoS " + client.listener.maxQos()); // MQTT-3.2.2-11
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
        if (invalid == null && !client.mountPoint().isEmpty()) {
            topic = client.mountPoint() + topic; // mount_point: this listener's clients live under a prefix
        }
        if (invalid != null) {
            publish.release();
            // MQTT-3.3.2-2; 0x82 as mosquitto, which checks a topic name after the properties
            Disconnects.disconnect(client, ReasonCode.PROTOCOL_ERROR, "PUBLISH with invalid topic: " + invalid);
            return;
        }
        int id = publish.packetId();
        int refused = refusal(client, publish, topic);
        if (refused != 0) {
            publish.release();
            acknowledge(client, publish.qos(), id, refused);
            return;
        }
        if (ControlTopics.isControl(topic)) {
            handleControl(client, publish, topic);
            return;
        }
        // A Subscription Identifier from a client is dropped, as mosquitto does: the spec forbids it
        // (MQTT-3.3.4-6) but names no reaction, and it must not reach subscribers.
        Properties properties = publish.properties().without(PropertyId.SUBSCRIPTION_IDENTIFIER);
        Message message = new Message(topic, publish.qos(), publish.retain(), publish.payload(),
                properties, client.clientId, client.identity.username(), client.connection.localPort(),
                expiryAt(core, properties));
        if (publish.qos() == QoS.AT_MOST_ONCE) {
            publishMessage(core, message);
            return;
        }
        IncomingMessages incoming = client.session.incoming();
        Message held = incoming.get(id);
        if (held != null) {
            if (isSameMessage(held, message)) {
                message.release(); // a resend before PUBREL: held already, passed on once (MQTT-4.3.3-2)
                sendPubRec(client, id, ReasonCode.SUCCESS);
                return;
            }
            // The id comes back with another message before PUBREL: the held one is forgotten and this
            // one taken as new, as mosquitto does ("Reused message ID ... detected").
            incoming.discard(id);
        }
        if (client.receiveQuota.exhausted() && !client.version.isV5()) {
            // A 3.x client cannot be told "quota exceeded". Mosquitto 2.0.11 acknowledges such a message
            // and drops it, losing a message it took ownership of (MQTT-4.3.2-2, MQTT-4.3.3-2). Starling
            // takes it as within the quota, up to max_held_qos2_bytes of held QoS 2 messages; past
            // that it closes the connection without acknowledging, so the client sends it again.
            long maxHeld = core.settings().overload().maxHeldQos2Bytes();
            if (publish.qos() == QoS.EXACTLY_ONCE && incoming.heldBytes() + message.payloadSize() > maxHeld) {
                message.release();
                core.drops().quotaExceeded.increment();
                Disconnects.silently(client, "more than " + maxHeld
                        + " bytes of QoS 2 messages awaiting PUBREL, over its receive quota (max_held_qos2_bytes)");
                return;
            }
            acceptOverQuota(client, publish.qos(), id, message, incoming);
            return;
        }
        if (client.receiveQuota.exhausted()) {
            core.drops().quotaExceeded.increment();
            DROPS.warn(ProtocolLog.LOG, "Dropped PUBLISH from {} on {}: more QoS 1/2 messages than its receive quota"
                    + " (max_inflight_messages {}).", client.clientId, topic, core.settings().inflightLimit());
            message.release();
            acknowledge(client, publish.qos(), id, ReasonCode.QUOTA_EXCEEDED);
            return;
        }
        client.receiveQuota.take();
        if (publish.qos() == QoS.AT_LEAST_ONCE) {
            boolean matched = publishMessage(core, message);
            acknowledge(client, QoS.AT_LEAST_ONCE, id, matched ? ReasonCode.SUCCESS : ReasonCode.NO_MATCHING_SUBSCRIBERS);
        } else {
            // Passed on at PUBREL (MQTT 3.1.1 §4.3.3 method B, as mosquitto): held, and stored with the
            // session, before the PUBREC says so.
            incoming.hold(id, message);
            sendPubRec(client, id, ReasonCode.SUCCESS);
        }
    }

    /**
     * A request to the broker ({@code $CONTROL/...}, past the ACL): given to its handler, never routed, and
     * acknowledged as a delivered message (mosquitto 2.0's control__process), before the handler's answer
     * is published. A QoS 2 request is handled at
     * once; its PUBREL finds nothing held and is answered PUBCOMP, as any unknown id is.
     */
    private static void handleControl(Client client, Publish publish, String topic) {
        byte[] payload = new byte[publish.payload().readableBytes()];
        publish.payload().getBytes(publish.payload().readerIndex(), payload);
        publish.release();
        Runnable afterAck = client.core.controlTopics().dispatch(client.identity, topic, payload);
        if (publish.qos() == QoS.AT_LEAST_ONCE) {
            acknowledge(client, QoS.AT_LEAST_ONCE, publish.packetId(), ReasonCode.SUCCESS);
        } else if (publish.qos() == QoS.EXACTLY_ONCE) {
            client.receiveQuota.take(); // given back at the PUBCOMP
            sendPubRec(client, publish.packetId(), ReasonCode.SUCCESS);
        }
        if (afterAck != null) {
            afterAck.run();
        }
    }

    /** A 3.x message over the receive quota, taken as one within it, up to {@code max_held_qos2_bytes}. */
    private static void acceptOverQuota(Client client, QoS qos, int id, Message message, IncomingMessages incoming) {
        if (qos == QoS.AT_LEAST_ONCE) {
            publishMessage(client.core, message);
            acknowledge(client, QoS.AT_LEAST_ONCE, id, ReasonCode.SUCCESS);
        } else {
            incoming.hold(id, message);
            sendPubRec(client, id, ReasonCode.SUCCESS);
        }
    }

    /**
     * Why a PUBLISH is refused, in mosquitto's order, or 0: over {@code message_size_limit} (0x95), not
     * allowed by the ACL (0x87).
     */
    private static int refusal(Client client, Publish publish, String topic) {
        BrokerCore core = client.core;
        int limit = core.settings().messageSizeLimit();
        if (limit > 0 && publish.payload().readableBytes() > limit) {
            core.drops().packetTooLarge.increment();
            ProtocolLog.LOG.info("Dropped PUBLISH from {} on {}: {} bytes is over message_size_limit {}.",
                    client.clientId, topic, publish.payload().readableBytes(), limit);
            return ReasonCode.PACKET_TOO_LARGE;
        }
        if (!client.publishAcl().mayPublish(client.security.authorizer(), client.identity, topic)) {
            // Denied by the ACL: dropped; 3.1.1 gets a normal ack, as mosquitto does, 5.0 gets 0x87.
            core.drops().notAuthorized.increment();
            ProtocolLog.LOG.debug("Denied PUBLISH from {} to '{}'.", client.clientId, topic);
            return ReasonCode.NOT_AUTHORIZED;
        }
        return 0;
    }

    /**
     * Whether a PUBLISH is a resend of the message held under its id: mosquitto compares QoS, topic and
     * payload (not the RETAIN flag or properties).
     */
    private static boolean isSameMessage(Message held, Message resent) {
        return held.qos() == resent.qos() && held.topic().equals(resent.topic()) && held.payload().equals(resent.payload());
    }

    /** PUBACK or PUBREC with {@code reasonCode} (3.1.1: the plain form); nothing for QoS 0. */
    private static void acknowledge(Client client, QoS qos, int id, int reasonCode) {
        if (qos == QoS.AT_LEAST_ONCE) {
            if (ProtocolLog.packets()) {
                ProtocolLog.sending(client.clientId, "PUBACK", "(m" + id + ", rc" + reasonCode + ")");
            }
            client.receiveQuota.giveBack();
            StateReports.send(client, client.version.isV5() ? new PubAck(id, reasonCode, Properties.EMPTY) : new PubAck(id),
                    () -> refuse(client, new PubAck(id, ReasonCode.UNSPECIFIED_ERROR, Properties.EMPTY)));
        } else if (qos == QoS.EXACTLY_ONCE) {
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
                    + client.listener.maxTopicAlias()); // MQTT-3.3.2-8, -9, -10
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
     * When a message with these properties expires, on the broker's clock. An interval of 0 means no
     * expiry, as in mosquitto (db__message_store): otherwise such a message would be dropped even for
     * subscribers online at the moment it arrives.
     */
    static long expiryAt(BrokerCore core, Properties properties) {
        long seconds = properties.number(PropertyId.MESSAGE_EXPIRY_INTERVAL, 0);
        return seconds <= 0 ? Message.NEVER_EXPIRES : MessageExpiry.at(core.clock(), seconds);
    }

    /** Stores and routes a message; takes over the caller's reference. Returns whether any subscription matched. */
    static boolean publishMessage(BrokerCore core, Message message) {
        if (message.retainFlag()) {
            if (message.payloadSize() == 0) {
                core.store().deleteRetained(message.topic());
            } else {
                core.store().saveRetained(message);
            }
            core.retained().put(message.retain().compacted()); // the store takes its own reference
        }
        boolean matched = core.router().route(message);
        message.release();
        return matched;
    }

    /**
     * PUBREL (MQTT 3.1.1 §4.3.3 method B, as mosquitto): the held message is passed on now, before the
     * PUBCOMP; its removal from the store follows the writes the routing made, so that a crash between
     * them keeps the message (passed on again at the client's next PUBREL) rather than losing it.
     */
    static void handlePubRel(Client client, PubRel pubRel) {
        int id = pubRel.packetId();
        if (ProtocolLog.packets()) {
            ProtocolLog.received(client.clientId, "PUBREL", "(Mid: " + id + ")");
        }
        IncomingMessages incoming = client.session.incoming();
        Message message = incoming.take(id);
        if (message != null) {
            publishMessage(client.core, message);
            incoming.done(id);
        }
        // An unknown id is answered too: the PUBCOMP may have been lost before a reconnect (MQTT-4.3.3);
        // mosquitto 2.0.11 sends the plain PUBCOMP, not 0x92 "Packet identifier not found".
        if (ProtocolLog.packets()) {
            ProtocolLog.sending(client.clientId, "PUBCOMP", "(m" + id + ")");
        }
        client.receiveQuota.giveBack();
        // Withheld when the end of the flow is not on disk: the client sends PUBREL again.
        StateReports.send(client, new PubComp(id));
    }

    private static void sendPubRec(Client client, int id, int reasonCode) {
        if (ProtocolLog.packets()) {
            ProtocolLog.sending(client.clientId, "PUBREC", "(m" + id + ", rc" + reasonCode + ")");
        }
        if (reasonCode >= ReasonCode.UNSPECIFIED_ERROR && client.version.isV5()) {
            client.receiveQuota.giveBack();
        }
        StateReports.send(client, client.version.isV5() ? new PubRec(id, reasonCode, Properties.EMPTY) : new PubRec(id),
                () -> {
                    if (reasonCode < ReasonCode.UNSPECIFIED_ERROR) {
                        // The held message is not durable: it is let go, so that the client's resend is taken afresh.
                        client.session.incoming().discard(id);
                        client.receiveQuota.giveBack();
                    }
                    refuse(client, new PubRec(id, ReasonCode.UNSPECIFIED_ERROR, Properties.EMPTY));
                });
    }
}
