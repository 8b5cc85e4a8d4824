package io.starling.broker.server.mqtt5;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * An Eclipse Paho MQTT 5 client with its messages and server disconnects collected in queues and
 * every blocking call bounded by {@link #TIMEOUT}. Created with its callback in place, so the
 * messages of a resumed session that arrive right after CONNACK are not missed.
 *
 * <p>Paho 1.2.5 sleeps about 300 ms in every connect (its sender thread's start-up), so tests use it
 * where its behaviour is the point and the faster HiveMQ client for plain publishing.
 */
final class Paho5Client implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** One message as Paho handed it to the application. */
    record Received(String topic, MqttMessage message) {
        String payload() {
            return new String(message.getPayload(), StandardCharsets.UTF_8);
        }

        MqttProperties properties() {
            return message.getProperties();
        }
    }

    private final MqttAsyncClient client;
    private final BlockingQueue<Received> messages = new LinkedBlockingQueue<>();
    private final BlockingQueue<MqttDisconnectResponse> disconnects = new LinkedBlockingQueue<>();

    Paho5Client(String uri, String clientId) {
        try {
            client = new MqttAsyncClient(uri, clientId, new MemoryPersistence());
        } catch (MqttException e) {
            throw new IllegalStateException(e);
        }
        client.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse response) {
                disconnects.add(response);
            }

            @Override
            public void mqttErrorOccurred(MqttException exception) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                messages.add(new Received(topic, message));
            }

            @Override
            public void deliveryComplete(IMqttToken token) {
            }

            @Override
            public void connectComplete(boolean reconnect, String serverUri) {
            }

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {
            }
        });
    }

    /** A connected client with Clean Start and Session Expiry Interval 0. */
    static Paho5Client connected(String uri, String clientId) throws MqttException {
        Paho5Client c = new Paho5Client(uri, clientId);
        c.connect(options());
        return c;
    }

    static Paho5Client connected(BrokerUnderTest broker, String clientId) throws MqttException {
        return connected(broker.uri(), clientId);
    }

    /** Clean Start, no session expiry, no automatic reconnect, timeouts bounded. */
    static MqttConnectionOptions options() {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setConnectionTimeout((int) TIMEOUT.toSeconds());
        o.setKeepAliveInterval(30);
        o.setAutomaticReconnect(false);
        return o;
    }

    /** Options for a session that outlives its connection by {@code expirySeconds}. */
    static MqttConnectionOptions options(boolean cleanStart, long expirySeconds) {
        MqttConnectionOptions o = options();
        o.setCleanStart(cleanStart);
        o.setSessionExpiryInterval(expirySeconds);
        return o;
    }

    /** Connects and returns the completed token (session present, CONNACK properties). */
    IMqttToken connect(MqttConnectionOptions options) throws MqttException {
        IMqttToken token = client.connect(options);
        token.waitForCompletion(TIMEOUT.toMillis());
        return token;
    }

    MqttAsyncClient paho() {
        return client;
    }

    /** With manual acks the application acknowledges each QoS 1/2 message with {@link #ack}. */
    void setManualAcks(boolean manual) {
        client.setManualAcks(manual);
    }

    void ack(Received received) throws MqttException {
        client.messageArrivedComplete(received.message().getId(), received.message().getQos());
    }

    /** Subscribes to one filter and returns its reason code (the granted QoS on success). */
    int subscribe(String filter, int qos) throws MqttException {
        return subscribe(new MqttSubscription(filter, qos))[0];
    }

    int[] subscribe(MqttSubscription... subscriptions) throws MqttException {
        return subscribe(new MqttProperties(), subscriptions);
    }

    /** Subscribes with SUBSCRIBE properties (a subscription identifier) and returns the reason codes. */
    int[] subscribe(MqttProperties properties, MqttSubscription... subscriptions) throws MqttException {
        IMqttToken token = client.subscribe(subscriptions, null, null, properties);
        token.waitForCompletion(TIMEOUT.toMillis());
        return token.getReasonCodes();
    }

    /** Publishes and, for QoS 1 and 2, waits for the broker's acknowledgement. */
    IMqttToken publish(String topic, MqttMessage message) throws MqttException {
        IMqttToken token = client.publish(topic, message);
        token.waitForCompletion(TIMEOUT.toMillis());
        return token;
    }

    IMqttToken publish(String topic, String payload, int qos) throws MqttException {
        return publish(topic, message(payload, qos));
    }

    static MqttMessage message(String payload, int qos) {
        MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        m.setQos(qos);
        return m;
    }

    static MqttMessage message(String payload, int qos, MqttProperties properties) {
        MqttMessage m = message(payload, qos);
        m.setProperties(properties);
        return m;
    }

    /** An empty retained message: publishing it clears the topic's retained message. */
    static MqttMessage retainedClear() {
        return new MqttMessage(new byte[0], 1, true, new MqttProperties());
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

    /** What Paho reported when the connection ended: the server's DISCONNECT, or the cause. */
    MqttDisconnectResponse awaitDisconnected() throws InterruptedException {
        MqttDisconnectResponse r = disconnects.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (r == null) {
            throw new AssertionError(client.getClientId() + " was not disconnected within " + TIMEOUT.toMillis()
                    + " ms");
        }
        return r;
    }

    boolean isConnected() {
        return client.isConnected();
    }

    /** Sends DISCONNECT (normal disconnection) without waiting for work in flight. */
    void disconnect() throws MqttException {
        client.disconnect(0).waitForCompletion(TIMEOUT.toMillis());
    }

    /** Sends DISCONNECT with a reason code and properties (a new Session Expiry Interval, say). */
    void disconnect(int reasonCode, MqttProperties properties) throws MqttException {
        client.disconnect(0, null, null, reasonCode, properties).waitForCompletion(TIMEOUT.toMillis());
    }

    /** Closes the socket without DISCONNECT: for the broker, a lost connection (the will goes out). */
    void vanish() throws MqttException {
        client.disconnectForcibly(0, 0, false);
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect(0).waitForCompletion(TIMEOUT.toMillis());
            }
        } catch (MqttException | RuntimeException e) {
            // the broker may have closed it already
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            // nothing left to release
        }
    }
}
