package io.starling.broker.server.integration;

import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** The HiveMQ MQTT client (its MQTT 3 blocking API), a second, independent client implementation. */
final class HiveMqClients {
    private HiveMqClients() {
    }

    /** A blocking client, not yet connected. */
    static Mqtt3BlockingClient blocking(RunningBroker broker, String clientId) {
        return Mqtt3Client.builder()
                .identifier(clientId)
                .serverHost("127.0.0.1")
                .serverPort(broker.port())
                .buildBlocking();
    }

    /** The next message from a publishes stream, waiting at most {@link PahoClient#TIMEOUT}. */
    static Mqtt3Publish receive(Mqtt3BlockingClient.Mqtt3Publishes publishes) throws InterruptedException {
        return publishes.receive(PahoClient.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .orElseThrow(() -> new AssertionError("no message within " + PahoClient.TIMEOUT.toMillis() + " ms"));
    }

    static String payload(Mqtt3Publish publish) {
        return new String(publish.getPayloadAsBytes(), StandardCharsets.UTF_8);
    }

    static void disconnectQuietly(Mqtt3BlockingClient client) {
        try {
            client.disconnect();
        } catch (RuntimeException e) {
            // not connected
        }
    }
}
