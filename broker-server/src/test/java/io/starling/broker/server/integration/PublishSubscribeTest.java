package io.starling.broker.server.integration;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.UnsubAck;
import io.starling.mqtt.codec.Unsubscribe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * PUBLISH to subscribers at QoS 0, 1 and 2 (3.1.1 §3.3, §3.8.4, §4.3): a message is delivered at the
 * lower of its published QoS and the subscription's granted QoS [MQTT-3.8.4-6], between independent
 * client implementations.
 */
@Timeout(20)
class PublishSubscribeTest {
    @RegisterExtension
    static final RunningBroker broker = new RunningBroker();

    @ParameterizedTest(name = "published at QoS {0}, subscribed at QoS {1}")
    @CsvSource({"0,0", "0,1", "0,2", "1,0", "1,1", "1,2", "2,0", "2,1", "2,2"})
    void pahoDelivery_isAtTheLowerOfPublishedAndGrantedQos(int published, int subscribed) throws Exception {
        String topic = "pubsub/paho/p" + published + "s" + subscribed;
        try (PahoClient sub = PahoClient.connected(broker, "pubsub-sub-" + published + subscribed);
             PahoClient pub = PahoClient.connected(broker, "pubsub-pub-" + published + subscribed)) {
            assertThat(sub.subscribe(topic, subscribed)).isEqualTo(subscribed);

            pub.publish(topic, "hello", published);

            PahoClient.Received m = sub.receive();
            assertThat(m.topic()).isEqualTo(topic);
            assertThat(m.payload()).isEqualTo("hello");
            assertThat(m.qos()).isEqualTo(Math.min(published, subscribed));
            assertThat(m.retained()).isFalse();
            assertThat(m.duplicate()).isFalse();
            assertThat(sub.poll(Duration.ofMillis(200))).as("a second delivery").isEmpty();
        }
    }

    @ParameterizedTest(name = "QoS {0}")
    @ValueSource(ints = {0, 1, 2})
    void hiveMqPublishAndSubscribe_deliversAtTheSameQos(int qos) throws Exception {
        String topic = "pubsub/hivemq/q" + qos;
        Mqtt3BlockingClient sub = HiveMqClients.blocking(broker, "pubsub-hive-sub-" + qos);
        Mqtt3BlockingClient pub = HiveMqClients.blocking(broker, "pubsub-hive-pub-" + qos);
        try (Mqtt3BlockingClient.Mqtt3Publishes publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.connect();
            pub.connect();
            sub.subscribeWith().topicFilter(topic).qos(MqttQos.fromCode(qos)).send();

            pub.publishWith().topic(topic).qos(MqttQos.fromCode(qos))
                    .payload("from hivemq".getBytes(StandardCharsets.UTF_8)).send();

            Mqtt3Publish m = HiveMqClients.receive(publishes);
            assertThat(m.getTopic().toString()).isEqualTo(topic);
            assertThat(HiveMqClients.payload(m)).isEqualTo("from hivemq");
            assertThat(m.getQos().getCode()).isEqualTo(qos);
            assertThat(m.isRetain()).isFalse();
        } finally {
            HiveMqClients.disconnectQuietly(sub);
            HiveMqClients.disconnectQuietly(pub);
        }
    }

    @Test
    void hiveMqPublisher_isReceivedByPahoSubscriber() throws Exception {
        Mqtt3BlockingClient pub = HiveMqClients.blocking(broker, "pubsub-mixed-hive");
        try (PahoClient sub = PahoClient.connected(broker, "pubsub-mixed-paho")) {
            sub.subscribe("pubsub/mixed/+", 2);
            pub.connect();

            for (int qos = 0; qos <= 2; qos++) {
                pub.publishWith().topic("pubsub/mixed/" + qos).qos(MqttQos.fromCode(qos))
                        .payload(("q" + qos).getBytes(StandardCharsets.UTF_8)).send();
            }

            for (int qos = 0; qos <= 2; qos++) {
                PahoClient.Received m = sub.receive();
                assertThat(m.topic()).isEqualTo("pubsub/mixed/" + qos);
                assertThat(m.payload()).isEqualTo("q" + qos);
                assertThat(m.qos()).isEqualTo(qos);
            }
        } finally {
            HiveMqClients.disconnectQuietly(pub);
        }
    }

    @Test
    void pahoPublisher_isReceivedByHiveMqSubscriber() throws Exception {
        Mqtt3BlockingClient sub = HiveMqClients.blocking(broker, "pubsub-mixed2-hive");
        try (Mqtt3BlockingClient.Mqtt3Publishes publishes = sub.publishes(MqttGlobalPublishFilter.ALL);
             PahoClient pub = PahoClient.connected(broker, "pubsub-mixed2-paho")) {
            sub.connect();
            sub.subscribeWith().topicFilter("pubsub/mixed2/#").qos(MqttQos.EXACTLY_ONCE).send();

            pub.publish("pubsub/mixed2/x", "from paho", 2);

            Mqtt3Publish m = HiveMqClients.receive(publishes);
            assertThat(m.getTopic().toString()).isEqualTo("pubsub/mixed2/x");
            assertThat(HiveMqClients.payload(m)).isEqualTo("from paho");
            assertThat(m.getQos()).isEqualTo(MqttQos.EXACTLY_ONCE);
        } finally {
            HiveMqClients.disconnectQuietly(sub);
        }
    }

    @Test
    void unsubscribe_stopsDelivery() throws Exception {
        try (PahoClient sub = PahoClient.connected(broker, "pubsub-unsub-sub");
             PahoClient pub = PahoClient.connected(broker, "pubsub-unsub-pub")) {
            sub.subscribe("pubsub/unsub", 1);
            pub.publish("pubsub/unsub", "before", 1);
            assertThat(sub.receive().payload()).isEqualTo("before");

            sub.paho().unsubscribe("pubsub/unsub");
            pub.publish("pubsub/unsub", "after", 1);

            assertThat(sub.poll(Duration.ofMillis(300))).isEmpty();
        }
    }

    @Test
    void payloadOfTwoMegabytes_isDeliveredIntact() throws Exception {
        byte[] payload = new byte[2 * 1024 * 1024]; // above the 1 MiB a connection may send before CONNECT
        new Random(42).nextBytes(payload);
        try (PahoClient sub = PahoClient.connected(broker, "pubsub-large-sub");
             PahoClient pub = PahoClient.connected(broker, "pubsub-large-pub")) {
            CompletableFuture<byte[]> received = new CompletableFuture<>();
            sub.paho().subscribe("pubsub/large", 1, (topic, m) -> received.complete(m.getPayload()));

            pub.paho().publish("pubsub/large", payload, 1, false);

            assertThat(received.get(10, TimeUnit.SECONDS)).isEqualTo(payload);
        }
    }

    @Test
    void emptyPayload_isDelivered() throws Exception {
        try (PahoClient sub = PahoClient.connected(broker, "pubsub-empty-sub");
             PahoClient pub = PahoClient.connected(broker, "pubsub-empty-pub")) {
            sub.subscribe("pubsub/empty", 1);

            pub.publish("pubsub/empty", "", 1);

            PahoClient.Received m = sub.receive();
            assertThat(m.payload()).isEmpty();
            assertThat(m.qos()).isEqualTo(1);
        }
    }

    @Test
    void unsubscribeOfAFilterNeverSubscribed_isAcknowledged() {
        try (RawMqttClient c = RawMqttClient.open(broker.port())) {
            c.connect("pubsub-unsub-unknown", true, 60);

            c.send(new Unsubscribe(3, List.of("never/subscribed"), Properties.EMPTY));

            assertThat(c.receive(UnsubAck.class).packetId()).isEqualTo(3); // MQTT-3.10.4-5
        }
    }
}
