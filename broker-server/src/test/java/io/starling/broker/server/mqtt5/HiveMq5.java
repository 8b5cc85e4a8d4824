package io.starling.broker.server.mqtt5;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The HiveMQ MQTT client's MQTT 5 blocking API: a second client implementation, independent of Paho. */
final class HiveMq5 {
    private HiveMq5() {
    }

    /** A builder for a client of the broker on {@code port}; without an identifier it sends an empty one. */
    static Mqtt5ClientBuilder builder(int port) {
        return Mqtt5Client.builder().serverHost("127.0.0.1").serverPort(port);
    }

    /** A blocking client, not yet connected. */
    static Mqtt5BlockingClient client(BrokerUnderTest broker, String clientId) {
        return builder(broker.port()).identifier(clientId).buildBlocking();
    }

    /** A connected client with Clean Start and no session expiry: a plain publisher. */
    static Mqtt5BlockingClient connected(BrokerUnderTest broker, String clientId) {
        Mqtt5BlockingClient client = client(broker, clientId);
        client.connect();
        return client;
    }

    /** Publishes a UTF-8 payload and, for QoS 1 and 2, waits for the broker's acknowledgement. */
    static void publish(Mqtt5BlockingClient client, String topic, String payload, MqttQos qos) {
        client.publishWith().topic(topic).qos(qos).payload(payload.getBytes(StandardCharsets.UTF_8)).send();
    }

    /** The next message from a publishes stream, waiting at most {@link Paho5Client#TIMEOUT}. */
    static Mqtt5Publish receive(Mqtt5BlockingClient.Mqtt5Publishes publishes) throws InterruptedException {
        return poll(publishes, Paho5Client.TIMEOUT).orElseThrow(() -> new AssertionError(
                "no message within " + Paho5Client.TIMEOUT.toMillis() + " ms"));
    }

    static Optional<Mqtt5Publish> poll(Mqtt5BlockingClient.Mqtt5Publishes publishes, Duration timeout)
            throws InterruptedException {
        return publishes.receive(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    static String payload(Mqtt5Publish publish) {
        return new String(publish.getPayloadAsBytes(), StandardCharsets.UTF_8);
    }

    static void disconnectQuietly(Mqtt5BlockingClient client) {
        try {
            client.disconnect();
        } catch (RuntimeException e) {
            // not connected
        }
    }
}
