package io.starling.broker.server.mqtt5;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * 3.1.1 and 5.0 clients on one broker: a 3.1.1 subscriber gets a 5.0 publisher's message without its
 * properties, which 3.1.1 cannot carry, and a 5.0 subscriber gets a 3.1.1 publisher's message with
 * none.
 */
class MixedVersionTest {
    @RegisterExtension
    static final BrokerUnderTest broker = new BrokerUnderTest();

    /** A received 3.1.1 message. */
    private record V3Message(String topic, MqttMessage message) {
    }

    @Test
    void v3Subscriber_receivesAV5PublishWithPropertiesAsAPlainMessage() throws Exception {
        BlockingQueue<V3Message> received = new LinkedBlockingQueue<>();
        MqttClient v3 = v3Client("mixed-v3-sub");
        try (Paho5Client v5 = Paho5Client.connected(broker, "mixed-v5-pub")) {
            v3.setCallback(new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                }

                @Override
                public void messageArrived(String topic, MqttMessage message) {
                    received.add(new V3Message(topic, message));
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {
                }
            });
            v3.connect(v3Options());
            v3.subscribe("mixed/to-v3", 2);
            MqttProperties p = new MqttProperties();
            p.setUserProperties(List.of(new UserProperty("k", "v"), new UserProperty("k", "w")));
            p.setContentType("text/plain");
            p.setMessageExpiryInterval(60L);
            p.setResponseTopic("mixed/reply");

            v5.publish("mixed/to-v3", Paho5Client.message("from five", 2, p));

            V3Message m = received.poll(5, TimeUnit.SECONDS);
            assertThat(m).as("message for the 3.1.1 subscriber").isNotNull();
            assertThat(m.topic()).isEqualTo("mixed/to-v3");
            assertThat(new String(m.message().getPayload(), StandardCharsets.UTF_8)).isEqualTo("from five");
            assertThat(m.message().getQos()).isEqualTo(2);
            assertThat(v3.isConnected()).as("the properties did not upset the 3.1.1 client").isTrue();
        } finally {
            closeQuietly(v3);
        }
    }

    @Test
    void v5Subscriber_receivesAV3PublishWithoutProperties() throws Exception {
        MqttClient v3 = v3Client("mixed-v3-pub");
        try (Paho5Client v5 = Paho5Client.connected(broker, "mixed-v5-sub")) {
            v5.subscribe("mixed/to-v5", 1);
            v3.connect(v3Options());

            v3.publish("mixed/to-v5", "from three".getBytes(StandardCharsets.UTF_8), 1, false);

            Paho5Client.Received r = v5.receive();
            MqttProperties p = r.properties();
            assertThat(r.payload()).isEqualTo("from three");
            assertThat(r.message().getQos()).isEqualTo(1);
            assertThat(p.getUserProperties()).isEmpty();
            assertThat(p.getContentType()).isNull();
            assertThat(p.getResponseTopic()).isNull();
            assertThat(p.getCorrelationData()).isNull();
            assertThat(p.getMessageExpiryInterval()).isNull();
            assertThat(p.getPayloadFormat()).isFalse();
        } finally {
            closeQuietly(v3);
        }
    }

    @Test
    void retainedMessageOfAV5Publisher_reachesALaterV3Subscriber() throws Exception {
        MqttClient v3 = v3Client("mixed-v3-retained");
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        try (Paho5Client v5 = Paho5Client.connected(broker, "mixed-v5-retained")) {
            MqttProperties p = new MqttProperties();
            p.setUserProperties(List.of(new UserProperty("origin", "v5")));
            org.eclipse.paho.mqttv5.common.MqttMessage message = Paho5Client.message("kept", 1, p);
            message.setRetained(true);
            v5.publish("mixed/retained", message);
            v3.connect(v3Options());

            v3.subscribe("mixed/retained", 1, (topic, m) -> received.add(
                    new String(m.getPayload(), StandardCharsets.UTF_8) + " retained=" + m.isRetained()));

            assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("kept retained=true");
            v5.publish("mixed/retained", Paho5Client.retainedClear());
        } finally {
            closeQuietly(v3);
        }
    }

    private static MqttClient v3Client(String clientId) throws Exception {
        MqttClient c = new MqttClient(broker.uri(), clientId, new MemoryPersistence());
        c.setTimeToWait(5000);
        return c;
    }

    private static MqttConnectOptions v3Options() {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        o.setConnectionTimeout(5);
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        return o;
    }

    private static void closeQuietly(MqttClient client) {
        try {
            if (client.isConnected()) {
                client.disconnect(0);
            }
            client.close(true);
        } catch (Exception e) {
            // already gone
        }
    }
}
