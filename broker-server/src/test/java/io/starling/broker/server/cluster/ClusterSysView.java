package io.starling.broker.server.cluster;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * One node's cluster state as its {@code $SYS/broker/cluster/} topics give it: a client that keeps the
 * latest value of each, by the topic's name after that prefix ({@code nodes}, {@code majority},
 * {@code links/n2/routes}, ...). Connected once and kept: it is how a test sees a node that refuses new
 * CONNECTs.
 */
final class ClusterSysView implements MqttCallback, AutoCloseable {
    private static final String PREFIX = "$SYS/broker/cluster/";
    private final Map<String, String> values = new ConcurrentHashMap<>();
    private final MqttClient client;

    ClusterSysView(String url, String clientId, int connectTimeoutSeconds) throws MqttException {
        client = new MqttClient(url, clientId, new MemoryPersistence());
        client.setCallback(this);
        MqttConnectOptions options = new MqttConnectOptions();
        options.setKeepAliveInterval(120);
        options.setConnectionTimeout(connectTimeoutSeconds);
        client.connect(options);
        client.subscribe(PREFIX + "#", 0);
    }

    String get(String topic) {
        return values.get(topic);
    }

    String get(String topic, String absent) {
        return values.getOrDefault(topic, absent);
    }

    @Override
    public void close() {
        try {
            client.disconnectForcibly(1_000, 1_000);
            client.close(true);
        } catch (MqttException e) {
            // the node may be gone already
        }
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
        values.put(topic.substring(PREFIX.length()), new String(message.getPayload(), StandardCharsets.UTF_8));
    }

    @Override
    public void connectionLost(Throwable cause) {
    }

    @Override
    public void deliveryComplete(IMqttDeliveryToken token) {
    }
}
