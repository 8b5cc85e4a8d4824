package io.starling.broker.core.protocol;

import io.starling.broker.core.BrokerSettings;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PropertyId;

/**
 * The properties of a successful 5.0 CONNACK: what the broker tells the client about itself
 * (MQTT 5 §3.2.2.3). Same set and order as Mosquitto 2.0.11 sends (measured on the wire), so that
 * tools see the same bytes: Topic Alias Maximum, Server Keep Alive, Assigned Client Identifier,
 * Authentication Method/Data, then Retain Available, Maximum Packet Size, Receive Maximum and Maximum
 * QoS, each only when it differs from the protocol's default. Features left at their default
 * (available) are not announced. A refusal carries only Maximum QoS, as mosquitto's does.
 */
final class ConnAckProperties {
    private ConnAckProperties() {
    }

    /**
     * The keepalive the connection runs with: the client's, lowered to max_keepalive for a 5.0 client.
     * A 5.0 client asking for none (0) gets max_keepalive too, as mosquitto 2.0 does, so that the
     * option bounds every 5.0 connection's idle time.
     */
    static int keepAlive(Client client, Connect connect) {
        int max = client.core.settings().maxKeepAlive();
        boolean lowered = connect.keepAlive() > max || connect.keepAlive() == 0 && max > 0;
        return client.version.isV5() && lowered ? max : connect.keepAlive();
    }

    static Properties of(Client client, Connect connect, int keepAlive) {
        if (!client.version.isV5()) {
            return Properties.EMPTY;
        }
        BrokerSettings s = client.core.settings();
        Properties.Builder b = Properties.builder();
        if (client.listener.maxTopicAlias() > 0) {
            b.number(PropertyId.TOPIC_ALIAS_MAXIMUM, client.listener.maxTopicAlias());
        }
        if (keepAlive != connect.keepAlive()) {
            b.number(PropertyId.SERVER_KEEP_ALIVE, keepAlive);
        }
        if (connect.clientId().isEmpty()) {
            b.text(PropertyId.ASSIGNED_CLIENT_IDENTIFIER, client.clientId);
        }
        if (client.auth != null) {
            b.text(PropertyId.AUTHENTICATION_METHOD, client.auth.method);
            if (client.auth.successData != null) {
                b.binary(PropertyId.AUTHENTICATION_DATA, client.auth.successData);
            }
        }
        if (!s.retainAvailable()) {
            b.number(PropertyId.RETAIN_AVAILABLE, 0);
        }
        if (s.maxPacketSize() < BrokerSettings.PROTOCOL_MAX_PACKET_SIZE) {
            b.number(PropertyId.MAXIMUM_PACKET_SIZE, s.maxPacketSize());
        }
        if (s.maxInflightMessages() > 0) {
            b.number(PropertyId.RECEIVE_MAXIMUM, s.maxInflightMessages());
        }
        maximumQos(client, b);
        return b.build();
    }

    /** The properties of a refusing 5.0 CONNACK: Maximum QoS only (when below 2), as mosquitto sends. */
    static Properties ofRefusal(Client client) {
        if (!client.version.isV5() || client.listener.maxQos() == 2) {
            return Properties.EMPTY;
        }
        Properties.Builder b = Properties.builder();
        maximumQos(client, b);
        return b.build();
    }

    private static void maximumQos(Client client, Properties.Builder b) {
        if (client.listener.maxQos() != 2) {
            b.number(PropertyId.MAXIMUM_QOS, client.listener.maxQos());
        }
    }
}
