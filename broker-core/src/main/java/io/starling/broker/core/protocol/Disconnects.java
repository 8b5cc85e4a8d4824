package io.starling.broker.core.protocol;

import io.starling.broker.core.sys.Counter;
import io.starling.mqtt.codec.Disconnect;
import io.starling.mqtt.codec.Malformed;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.ReasonCode;

/**
 * The one place where a protocol violation ends a connection: it is logged, a 5.0 client is told the
 * reason code in a DISCONNECT, and the connection is closed. The will is published afterwards by
 * {@link Client#onConnectionLost()}, as for any close without DISCONNECT (MQTT-3.1.2-8).
 */
final class Disconnects {
    private Disconnects() {
    }

    static void protocolError(Client client, String what) {
        close(client, ReasonCode.PROTOCOL_ERROR, what);
    }

    static void malformed(Client client, Malformed malformed) {
        close(client, malformed.reasonCode(), "sent a malformed packet: " + malformed.reason());
    }

    static void close(Client client, int reasonCode, String what) {
        if (client.state == Client.State.CLOSED) {
            return;
        }
        ProtocolLog.LOG.info("Client {} from {} disconnected due to protocol error: {}.", client.clientId,
                client.connection.remoteAddress(), what);
        client.counters.increment(Counter.DISCONNECTS_PROTOCOL_ERROR);
        if (client.state == Client.State.CONNECTED && client.version == MqttVersion.MQTT_5) {
            client.write(new Disconnect(reasonCode, Properties.EMPTY));
        }
        client.markClosing();
        client.connection.close();
    }
}
