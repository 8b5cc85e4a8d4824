package io.starling.broker.core.protocol;

import io.starling.broker.core.sys.Counter;
import io.starling.mqtt.codec.Disconnect;
import io.starling.mqtt.codec.Malformed;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.PacketType;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.ReasonCode;

/**
 * The one place where a protocol violation ends a connection: it is logged, counted and the
 * connection closed. The will is published afterwards by {@link Client#onConnectionLost()}, as for
 * any close without DISCONNECT (MQTT-3.1.2-8).
 *
 * <p>Which violations a 5.0 client is told about in a DISCONNECT is mosquitto 2.0.11's choice
 * (measured with raw packets; MQTT 5 §4.13 lets the server close without one): errors found in a
 * PUBLISH, SUBSCRIBE or UNSUBSCRIBE (0x81 malformed, 0x82 protocol error, 0x94 topic alias, 0x95,
 * 0x9A retain, 0x9B QoS), a packet of the reserved type 0 (0x82), any packet over the maximum packet
 * size (0x95), and a DISCONNECT raising the session expiry from 0 (0x82) - except that a repeated
 * property or a bad string inside a property closes silently there too. Every other violation (a
 * second CONNECT, a packet only a server sends, a bad or wrong acknowledgement, a bad DISCONNECT, an
 * AUTH without enhanced authentication) closes the socket with nothing sent: {@link #silently}.
 */
final class Disconnects {
    private Disconnects() {
    }

    /** Closes the connection; a connected 5.0 client is told {@code reasonCode} first. */
    static void disconnect(Client client, int reasonCode, String what) {
        close(client, reasonCode, true, what);
    }

    /** Closes the connection with nothing sent. */
    static void silently(Client client, String what) {
        close(client, ReasonCode.PROTOCOL_ERROR, false, what);
    }

    static void malformed(Client client, Malformed malformed) {
        close(client, malformed.reasonCode(), isTold(malformed), "sent a malformed packet: " + malformed.reason());
    }

    /** Whether a 5.0 client is told about this refused packet (see the class comment). */
    static boolean isTold(Malformed m) {
        if (m.reasonCode() == ReasonCode.PACKET_TOO_LARGE || m.packetType() == PacketType.RESERVED) {
            return true;
        }
        if (m.fault() != Malformed.Fault.PACKET) {
            return false;
        }
        PacketType type = m.packetType();
        return type == PacketType.PUBLISH || type == PacketType.SUBSCRIBE || type == PacketType.UNSUBSCRIBE;
    }

    private static void close(Client client, int reasonCode, boolean tell, String what) {
        if (client.state == Client.State.CLOSED) {
            return;
        }
        ProtocolLog.LOG.info("Client {} from {} disconnected due to protocol error: {}.", client.clientId,
                client.connection.remoteAddress(), what);
        client.counters.increment(Counter.DISCONNECTS_PROTOCOL_ERROR);
        if (tell && client.state == Client.State.CONNECTED && client.version == MqttVersion.MQTT_5) {
            client.write(new Disconnect(reasonCode, Properties.EMPTY));
        }
        client.markClosing();
        client.closeConnection(); // after what was sent before, the CONNACK included
    }
}
