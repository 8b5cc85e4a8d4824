package io.starling.broker.server.cluster;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * One node's cluster state as its {@code $SYS/broker/cluster/} topics give it: a client that keeps the
 * latest value of each, by the topic's name after that prefix ({@code nodes}, {@code majority},
 * {@code links/n2/routes}, ...). Connected once and kept: it is how a test sees a node that refuses new
 * CONNECTs. A node that closes it (its client lease ran out) is connected to again, every 2 s at most, and
 * its values are forgotten meanwhile, so that none is read stale.
 */
final class ClusterSysView implements MqttCallbackExtended, AutoCloseable {
    private static final String PREFIX = "$SYS/broker/cluster/";
    private final Map<String, String> values = new ConcurrentHashMap<>();
    private final MqttClient client;

    ClusterSysView(String url, String clientId, int connectTimeoutSeconds) throws MqttException {
        client = new MqttClient(url, clientId, new MemoryPersistence());
        client.setCallback(this);
        MqttConnectOptions options = new MqttConnectOptions();
        options.setKeepAliveInterval(120);
        options.setConnectionTimeout(connectTimeoutSeconds);
        options.setAutomaticReconnect(true);
        options.setMaxReconnectDelay(2_000);
        client.connect(options);
        client.subscribe(PREFIX + "#", 0);
    }

    @Override
    public void connectComplete(boolean reconnect, String serverUri) {
        if (reconnect) { // not on Paho's callback thread, which a blocking SUBSCRIBE would wait on
            Thread subscriber = new Thread(() -> {
                try {
                    client.subscribe(PREFIX + "#", 0);
                } catch (MqttException e) {
                    // lost again: the next reconnection subscribes
                }
            }, "sys-view-resubscribe");
            subscriber.setDaemon(true);
            subscriber.start();
        }
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
        values.clear();
    }

    @Override
    public void deliveryComplete(IMqttDeliveryToken token) {
    }
}
