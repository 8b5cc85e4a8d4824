package io.starling.broker.server.cluster;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A Paho 3.1.1 client of a {@link NetnsCluster} node whose connection's up and down go to the checker
 * ({@link ClientIdIntervals}), and which counts what it gets.
 */
final class NetnsClient implements MqttCallback {
    final String clientId;
    final int node;
    final MqttClient client;
    final Map<String, Integer> payloads = new ConcurrentHashMap<>();
    final Map<String, String> lastByTopic = new ConcurrentHashMap<>();
    private final ClientIdIntervals intervals;
    private volatile long handle = -1;
    private volatile boolean lost;

    private NetnsClient(ClientIdIntervals intervals, String clientId, int node) throws MqttException {
        this.intervals = intervals;
        this.clientId = clientId;
        this.node = node;
        this.client = new MqttClient("tcp://" + NetnsCluster.host(node) + ":" + NetnsCluster.MQTT_PORT, clientId,
                new MemoryPersistence());
        client.setTimeToWait(TimeUnit.SECONDS.toMillis(NetnsCluster.WAIT_SECONDS));
        client.setCallback(this);
    }

    /** Connects (clean session, no automatic reconnect) and logs the connection up once its CONNACK is in. */
    static NetnsClient connect(ClientIdIntervals intervals, String clientId, int node) throws MqttException {
        NetnsClient conn = new NetnsClient(intervals, clientId, node);
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(true);
        options.setKeepAliveInterval(60);
        options.setAutomaticReconnect(false);
        options.setConnectionTimeout((int) NetnsCluster.WAIT_SECONDS);
        options.setMaxInflight(200);
        conn.client.connect(options);
        conn.handle = intervals.up(clientId, NetnsCluster.id(node));
        return conn;
    }

    NetnsClient subscribe(String filter) throws MqttException {
        client.subscribe(filter, 1);
        return this;
    }

    void unsubscribe(String filter) throws MqttException {
        client.unsubscribe(filter);
    }

    /** Returns once the node acknowledged it (QoS 1). */
    void publish(String topic, String payload, boolean retain) throws MqttException {
        client.publish(topic, payload.getBytes(StandardCharsets.UTF_8), 1, retain);
    }

    boolean got(String payload) {
        return payloads.containsKey(payload);
    }

    /** Whether the connection was closed by the node or the network (not by {@link #close}). */
    boolean lost() {
        return lost;
    }

    void close() {
        try {
            if (client.isConnected()) {
                client.disconnect(5_000);
            }
        } catch (MqttException e) {
            // closed below anyway
        }
        markDown();
        try {
            client.close(true);
        } catch (MqttException e) {
            // nothing left to close
        }
    }

    private void markDown() {
        if (handle >= 0) {
            intervals.down(handle);
        }
    }

    @Override
    public void connectionLost(Throwable cause) {
        lost = true;
        markDown();
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
        String payload = new String(message.getPayload(), StandardCharsets.UTF_8);
        payloads.merge(payload, 1, Integer::sum);
        lastByTopic.put(topic, payload);
    }

    @Override
    public void deliveryComplete(IMqttDeliveryToken token) {
    }
}
