package io.starling.broker.server.security;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * An Eclipse Paho v3 client (MQTT 3.1.1) that collects what it receives; every blocking call is
 * bounded. The callback is set before CONNECT, so messages of a resumed session are not missed.
 */
final class Paho3 implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** A message as the application saw it. */
    record Msg(String topic, String payload, boolean retained) {
        @Override
        public String toString() {
            return topic + " '" + payload + "'" + (retained ? " (retained)" : "");
        }
    }

    private final MqttClient client;
    private final BlockingQueue<Msg> messages = new LinkedBlockingQueue<>();

    private Paho3(int port, String clientId) throws MqttException {
        client = new MqttClient("tcp://127.0.0.1:" + port, clientId, new MemoryPersistence());
        client.setTimeToWait(TIMEOUT.toMillis());
        client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage m) {
                messages.add(new Msg(topic, new String(m.getPayload(), StandardCharsets.UTF_8), m.isRetained()));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
    }

    /** A connected client; throws (with Paho's reason code) when the broker refuses it. */
    static Paho3 connect(int port, String clientId, String username, String password, boolean cleanSession)
            throws MqttException {
        Paho3 c = new Paho3(port, clientId);
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setCleanSession(cleanSession);
        o.setConnectionTimeout((int) TIMEOUT.toSeconds());
        o.setKeepAliveInterval(30);
        o.setAutomaticReconnect(false);
        o.setMaxInflight(100);
        if (username != null) {
            o.setUserName(username);
        }
        if (password != null) {
            o.setPassword(password.toCharArray());
        }
        try {
            c.client.connect(o);
        } catch (MqttException e) {
            c.client.close(true);
            throw e;
        }
        return c;
    }

    static Paho3 connect(int port, String clientId, String username, String password) throws MqttException {
        return connect(port, clientId, username, password, true);
    }

    /** Subscribes and returns the SUBACK return code (the granted QoS, or 0x80). */
    int subscribe(String filter, int qos) throws MqttException {
        int[] granted = {qos};
        try {
            client.subscribe(new String[] {filter}, granted);
        } catch (MqttException e) {
            if (e.getReasonCode() == MqttException.REASON_CODE_SUBSCRIBE_FAILED) {
                return 0x80;
            }
            throw e;
        }
        return granted[0];
    }

    /**
     * Publishes and waits for the acknowledgement. In MQTT 3.1.1 a denied publish is acknowledged
     * like any other, so the outcome is "acked" plus whether the connection is still up.
     */
    String publish(String topic, String payload, int qos, boolean retain) {
        try {
            client.publish(topic, payload.getBytes(StandardCharsets.UTF_8), qos, retain);
            return "acked" + (client.isConnected() ? "" : ", disconnected");
        } catch (MqttException e) {
            return "failed " + e.getReasonCode() + (client.isConnected() ? "" : ", disconnected");
        }
    }

    /** The next message, or null when none arrives within the timeout. */
    Msg poll(Duration timeout) throws InterruptedException {
        return messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Waits for a message matching {@code wanted}, keeping the ones before it in the queue. */
    boolean awaitMessage(Predicate<Msg> wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (messages.stream().anyMatch(wanted)) {
                return true;
            }
            Thread.sleep(10);
        }
        return messages.stream().anyMatch(wanted);
    }

    /** Every message received so far, removed from the queue. */
    List<Msg> drain() {
        List<Msg> out = new ArrayList<>();
        messages.drainTo(out);
        return out;
    }

    boolean isConnected() {
        return client.isConnected();
    }

    /** Disconnects cleanly (a persistent session stays on the broker) and releases the client. */
    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect(1000);
            }
        } catch (MqttException e) {
            // the broker may have closed it first
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            // nothing left to release
        }
    }
}
