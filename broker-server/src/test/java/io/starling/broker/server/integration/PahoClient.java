package io.starling.broker.server.integration;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * An Eclipse Paho v3 client (the most used Java client) with its messages collected in a queue and
 * every blocking call bounded by a timeout. Created with its callback in place, so the messages of a
 * persistent session that arrive right after CONNACK are not missed.
 */
final class PahoClient implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** One message as Paho handed it to the application. */
    record Received(String topic, String payload, int qos, boolean retained, boolean duplicate) {
    }

    private final MqttClient client;
    private final BlockingQueue<Received> messages = new LinkedBlockingQueue<>();
    private final CountDownLatch connectionLost = new CountDownLatch(1);

    PahoClient(String uri, String clientId) {
        try {
            client = new MqttClient(uri, clientId, new MemoryPersistence());
        } catch (MqttException e) {
            throw new IllegalStateException(e);
        }
        client.setTimeToWait(TIMEOUT.toMillis());
        client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                connectionLost.countDown();
            }

            @Override
            public void messageArrived(String topic, MqttMessage m) {
                messages.add(new Received(topic, new String(m.getPayload(), StandardCharsets.UTF_8), m.getQos(),
                        m.isRetained(), m.isDuplicate()));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
    }

    /** A connected client with a clean session. */
    static PahoClient connected(RunningBroker broker, String clientId) throws MqttException {
        return connected(broker, clientId, true);
    }

    static PahoClient connected(RunningBroker broker, String clientId, boolean cleanSession) throws MqttException {
        PahoClient c = new PahoClient(broker.uri(), clientId);
        c.connect(options(cleanSession));
        return c;
    }

    static MqttConnectOptions options(boolean cleanSession) {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(cleanSession);
        o.setConnectionTimeout((int) TIMEOUT.toSeconds());
        o.setKeepAliveInterval(30);
        // Paho wakes a synchronous publisher on PUBACK before its callback thread frees the inflight
        // slot, so quick successive publishes can hit "Too many publishes in progress" (32202) at the
        // default of 10 although only one is really in flight.
        o.setMaxInflight(1000);
        return o;
    }

    /** Connects; the token tells {@code getSessionPresent()}. */
    IMqttToken connect(MqttConnectOptions options) throws MqttException {
        return client.connectWithResult(options);
    }

    MqttClient paho() {
        return client;
    }

    /** Subscribes and returns the granted QoS. */
    int subscribe(String filter, int qos) throws MqttException {
        return client.subscribeWithResponse(filter, qos).getGrantedQos()[0];
    }

    /** Publishes and, for QoS 1 and 2, waits for the broker's acknowledgement. */
    void publish(String topic, String payload, int qos, boolean retained) throws MqttException {
        client.publish(topic, payload.getBytes(StandardCharsets.UTF_8), qos, retained);
    }

    void publish(String topic, String payload, int qos) throws MqttException {
        publish(topic, payload, qos, false);
    }

    /** The next message, waiting at most {@link #TIMEOUT}. */
    Received receive() throws InterruptedException {
        return poll(TIMEOUT).orElseThrow(() -> new AssertionError(
                "no message for " + client.getClientId() + " within " + TIMEOUT.toMillis() + " ms"));
    }

    /** Exactly {@code n} messages, in the order they arrived. */
    List<Received> receive(int n) throws InterruptedException {
        List<Received> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(receive());
        }
        return out;
    }

    Optional<Received> poll(Duration timeout) throws InterruptedException {
        return Optional.ofNullable(messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS));
    }

    boolean awaitConnectionLost(Duration timeout) throws InterruptedException {
        return connectionLost.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    boolean isConnected() {
        return client.isConnected();
    }

    /** Disconnects with DISCONNECT (no will), waiting for nothing in flight. */
    void disconnect() throws MqttException {
        client.disconnect(0);
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect(0);
            }
        } catch (MqttException e) {
            // the broker may have closed it already
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            // nothing left to release
        }
    }
}
