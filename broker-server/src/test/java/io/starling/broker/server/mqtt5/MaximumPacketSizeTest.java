package io.starling.broker.server.mqtt5;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import java.time.Duration;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Maximum Packet Size of a client (MQTT 5 §3.1.2.11.4): the broker does not send it a packet larger
 * than that; the message is dropped for that client alone (MQTT-3.1.2-25) and counted.
 */
class MaximumPacketSizeTest {
    @RegisterExtension
    static final BrokerUnderTest broker = new BrokerUnderTest();

    private static final String LARGE = "x".repeat(500);

    private static Mqtt5BlockingClient publisher;

    @BeforeAll
    static void connectPublisher() {
        publisher = HiveMq5.connected(broker, "size-publisher");
    }

    @AfterAll
    static void disconnectPublisher() {
        HiveMq5.disconnectQuietly(publisher);
    }

    @Test
    void messageLargerThanASubscribersMaximum_isDroppedForThatSubscriberOnly() throws Exception {
        Mqtt5BlockingClient big = HiveMq5.connected(broker, "size-big");
        try (Mqtt5BlockingClient.Mqtt5Publishes bigPublishes = big.publishes(MqttGlobalPublishFilter.ALL);
             Paho5Client small = new Paho5Client(broker.uri(), "size-small")) {
            MqttConnectionOptions options = Paho5Client.options();
            options.setMaximumPacketSize(100L);
            small.connect(options);
            small.subscribe("size/drop", 1);
            big.subscribeWith().topicFilter("size/drop").qos(MqttQos.AT_LEAST_ONCE).send();
            long droppedBefore = broker.core().drops().packetTooLarge.sum();

            HiveMq5.publish(publisher, "size/drop", LARGE, MqttQos.AT_LEAST_ONCE);
            HiveMq5.publish(publisher, "size/drop", "small", MqttQos.AT_LEAST_ONCE);

            assertThat(HiveMq5.payload(HiveMq5.receive(bigPublishes))).isEqualTo(LARGE);
            assertThat(HiveMq5.payload(HiveMq5.receive(bigPublishes))).isEqualTo("small");
            assertThat(small.receive().payload()).as("the large one was skipped").isEqualTo("small");
            assertThat(small.poll(Duration.ofMillis(200))).isEmpty();
            assertThat(broker.core().drops().packetTooLarge.sum() - droppedBefore).isEqualTo(1);
        } finally {
            HiveMq5.disconnectQuietly(big);
        }
    }

    @Test
    void packetOfExactlyTheMaximum_isDelivered() {
        Properties max = Properties.builder().number(PropertyId.MAXIMUM_PACKET_SIZE, 100).build();
        try (RawMqttClient raw = Raw5.connected(broker.port(), Raw5.connect("size-exact", true, 60, max, null))) {
            raw.subscribe(1, "size/exact", QoS.AT_MOST_ONCE);
            // QoS 0 PUBLISH: fixed header 2 + topic 2+10 + properties length 1 + payload = 100 bytes
            String payload = "p".repeat(100 - 2 - 12 - 1);
            String tooLong = payload + "p";

            HiveMq5.publish(publisher, "size/exact", tooLong, MqttQos.AT_MOST_ONCE);
            HiveMq5.publish(publisher, "size/exact", payload, MqttQos.AT_MOST_ONCE);

            Publish p = raw.receive(Publish.class);
            assertThat(RawMqttClient.payloadOf(p)).isEqualTo(payload);
            assertThat(RawMqttClient.encode(p, MqttVersion.MQTT_5)).hasSize(100);
        }
    }

    @Test
    void droppedMessage_doesNotUseUpATopicAlias() {
        Properties limits = Properties.builder().number(PropertyId.MAXIMUM_PACKET_SIZE, 100)
                .number(PropertyId.TOPIC_ALIAS_MAXIMUM, 5).build();
        try (RawMqttClient raw = Raw5.connected(broker.port(), Raw5.connect("size-alias", true, 60, limits, null))) {
            raw.subscribe(1, "size/alias", QoS.AT_LEAST_ONCE);

            HiveMq5.publish(publisher, "size/alias", LARGE, MqttQos.AT_LEAST_ONCE);
            HiveMq5.publish(publisher, "size/alias", "fits", MqttQos.AT_LEAST_ONCE);

            Publish p = raw.receive(Publish.class);
            assertThat(RawMqttClient.payloadOf(p)).isEqualTo("fits");
            assertThat(p.topic()).as("the alias was never announced, so the topic is sent").isEqualTo("size/alias");
            assertThat(p.properties().number(PropertyId.TOPIC_ALIAS, 0)).isEqualTo(1);
        }
    }

    @Test
    void droppedQos1Message_doesNotHoldAnInflightSlot() throws Exception {
        try (Paho5Client small = new Paho5Client(broker.uri(), "size-slots")) {
            MqttConnectionOptions options = Paho5Client.options();
            options.setMaximumPacketSize(100L);
            options.setReceiveMaximum(1);
            small.connect(options);
            small.subscribe("size/slots", 1);

            HiveMq5.publish(publisher, "size/slots", LARGE, MqttQos.AT_LEAST_ONCE);
            HiveMq5.publish(publisher, "size/slots", LARGE, MqttQos.AT_LEAST_ONCE);
            HiveMq5.publish(publisher, "size/slots", "after", MqttQos.AT_LEAST_ONCE);

            assertThat(small.receive().payload()).isEqualTo("after");
        }
    }
}
