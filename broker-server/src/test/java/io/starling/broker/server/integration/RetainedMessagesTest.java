package io.starling.broker.server.integration;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Retained messages (3.1.1 §3.3.1.3). */
@Timeout(20)
class RetainedMessagesTest {
    @RegisterExtension
    static final RunningBroker broker = new RunningBroker();

    private static final Duration QUIET = Duration.ofMillis(300);

    @Test
    void retainedMessage_isSentToALaterSubscriberWithTheRetainFlag() throws Exception {
        try (PahoClient pub = PahoClient.connected(broker, "retain-pub")) {
            pub.publish("retain/later/stored", "kept", 1, true);
        }
        try (PahoClient sub = PahoClient.connected(broker, "retain-sub")) {
            sub.subscribe("retain/later/+", 2); // a level of its own: the other tests retain under retain/

            PahoClient.Received m = sub.receive();
            assertThat(m.topic()).isEqualTo("retain/later/stored");
            assertThat(m.payload()).isEqualTo("kept");
            assertThat(m.retained()).isTrue(); // MQTT-3.3.1-8
            assertThat(m.qos()).isEqualTo(1); // the lower of stored and granted QoS
        }
    }

    @Test
    void retainedMessage_isReplacedByTheNextOneOnTheSameTopic() throws Exception {
        try (PahoClient pub = PahoClient.connected(broker, "retain-replace-pub")) {
            pub.publish("retain/replace", "first", 0, true);
            pub.publish("retain/replace", "second", 0, true);
        }
        try (PahoClient sub = PahoClient.connected(broker, "retain-replace-sub")) {
            sub.subscribe("retain/replace", 0);

            assertThat(sub.receive().payload()).isEqualTo("second"); // MQTT-3.3.1-5
            assertThat(sub.poll(QUIET)).isEmpty();
        }
    }

    @Test
    void retainedPublishWithEmptyPayload_clearsTheRetainedMessage() throws Exception {
        try (PahoClient pub = PahoClient.connected(broker, "retain-clear-pub")) {
            pub.publish("retain/clear", "soon gone", 1, true);
            pub.publish("retain/clear", "", 1, true); // MQTT-3.3.1-10
        }
        try (PahoClient sub = PahoClient.connected(broker, "retain-clear-sub")) {
            sub.subscribe("retain/clear", 1);

            assertThat(sub.poll(QUIET)).as("a retained message after clearing").isEmpty(); // MQTT-3.3.1-11
        }
    }

    @Test
    void retainedPublishToAnExistingSubscriber_arrivesWithTheRetainFlagClear() throws Exception {
        try (PahoClient sub = PahoClient.connected(broker, "retain-live-sub");
             PahoClient pub = PahoClient.connected(broker, "retain-live-pub")) {
            sub.subscribe("retain/live", 1);

            pub.publish("retain/live", "live", 1, true);

            PahoClient.Received m = sub.receive();
            assertThat(m.payload()).isEqualTo("live");
            assertThat(m.retained()).isFalse(); // MQTT-3.3.1-9
        }
    }

    @Test
    void nonRetainedPublish_isNotStored() throws Exception {
        try (PahoClient pub = PahoClient.connected(broker, "retain-none-pub")) {
            pub.publish("retain/none", "fleeting", 1, false);
        }
        try (PahoClient sub = PahoClient.connected(broker, "retain-none-sub")) {
            sub.subscribe("retain/none", 1);

            assertThat(sub.poll(QUIET)).isEmpty();
        }
    }

    @Test
    void hiveMqRetainedMessage_isSentToALaterSubscriberWithTheRetainFlag() throws Exception {
        Mqtt3BlockingClient pub = HiveMqClients.blocking(broker, "retain-hive-pub");
        Mqtt3BlockingClient sub = HiveMqClients.blocking(broker, "retain-hive-sub");
        try (Mqtt3BlockingClient.Mqtt3Publishes publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            pub.connect();
            pub.publishWith().topic("retain/hive").qos(MqttQos.AT_LEAST_ONCE).retain(true)
                    .payload("hive kept".getBytes(StandardCharsets.UTF_8)).send();
            pub.disconnect();
            sub.connect();

            sub.subscribeWith().topicFilter("retain/hive").qos(MqttQos.AT_LEAST_ONCE).send();

            Mqtt3Publish m = HiveMqClients.receive(publishes);
            assertThat(HiveMqClients.payload(m)).isEqualTo("hive kept");
            assertThat(m.isRetain()).isTrue();
        } finally {
            HiveMqClients.disconnectQuietly(pub);
            HiveMqClients.disconnectQuietly(sub);
        }
    }

    @Test
    void resubscribingToTheSameFilter_sendsTheRetainedMessageAgain() throws Exception {
        try (PahoClient pub = PahoClient.connected(broker, "retain-again-pub")) {
            pub.publish("retain/again", "again", 1, true);
        }
        try (PahoClient sub = PahoClient.connected(broker, "retain-again-sub")) {
            sub.subscribe("retain/again", 1);
            assertThat(sub.receive().payload()).isEqualTo("again");

            sub.subscribe("retain/again", 1);

            PahoClient.Received m = sub.receive(); // MQTT-3.8.4-3
            assertThat(m.payload()).isEqualTo("again");
            assertThat(m.retained()).isTrue();
        }
    }
}
