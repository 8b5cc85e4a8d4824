package io.starling.mqtt.tools.client;

import io.starling.mqtt.codec.Packet;

/**
 * Sees every packet a client sends and receives, on the connection's event loop, before anything else
 * is done with it: the {@code -d} debug lines of {@code starling pub/sub}. A received PUBLISH's payload
 * is only valid during the call.
 */
public interface PacketTrace {
    void sent(MqttClient client, Packet packet);

    void received(MqttClient client, Packet packet);
}
