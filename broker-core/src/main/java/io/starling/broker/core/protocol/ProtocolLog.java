package io.starling.broker.core.protocol;

import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Publish;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connection and packet log lines in Mosquitto's words, so that people who read mosquitto's log
 * (and scripts that grep it) can read ours. Connection events are INFO; packets are DEBUG (shown
 * with {@code -v}).
 */
final class ProtocolLog {
    static final Logger LOG = LoggerFactory.getLogger("io.starling.broker");
    /** Clients connecting and disconnecting: its own logger, so that connection_messages false can mute it. */
    static final Logger CONNECTIONS = LoggerFactory.getLogger("io.starling.broker.connections");
    /** "client qos filter" for each subscription made: mosquitto's {@code log_type subscribe}. */
    static final Logger SUBSCRIBE = LoggerFactory.getLogger("io.starling.broker.subscribe");
    /** "client filter" for each filter removed: mosquitto's {@code log_type unsubscribe}. */
    static final Logger UNSUBSCRIBE = LoggerFactory.getLogger("io.starling.broker.unsubscribe");

    private ProtocolLog() {
    }

    static boolean packets() {
        return LOG.isDebugEnabled();
    }

    static void received(String clientId, String packet) {
        LOG.debug("Received {} from {}", packet, clientId);
    }

    /** "Received PUBACK from ID (Mid: 1, RC:0)"; callers on the message path check {@link #packets()} first. */
    static void received(String clientId, String packet, String detail) {
        LOG.debug("Received {} from {} {}", packet, clientId, detail);
    }

    static void sending(String clientId, String packet) {
        LOG.debug("Sending {} to {}", packet, clientId);
    }

    /** "Sending PUBACK to ID (m1, rc0)"; callers on the message path check {@link #packets()} first. */
    static void sending(String clientId, String packet, String detail) {
        LOG.debug("Sending {} to {} {}", packet, clientId, detail);
    }

    /** Mosquitto's protocol number in "(p2, c1, k60)": 1 for 3.1, 2 for 3.1.1, 5 for 5.0. */
    static int protocolNumber(MqttVersion version) {
        switch (version) {
            case MQTT_3_1: return 1;
            case MQTT_3_1_1: return 2;
            default: return 5;
        }
    }

    /** "(d0, q1, r0, m1, 'a/b', ... (5 bytes))" as mosquitto prints a PUBLISH. */
    static String describe(Publish p) {
        return "(d" + (p.dup() ? 1 : 0) + ", q" + p.qos().value() + ", r" + (p.retain() ? 1 : 0) + ", m"
                + p.packetId() + ", '" + p.topic() + "', ... (" + p.payload().readableBytes() + " bytes))";
    }
}
