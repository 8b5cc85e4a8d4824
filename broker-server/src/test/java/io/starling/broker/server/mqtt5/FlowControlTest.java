package io.starling.broker.server.mqtt5;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.Packet;
import io.starling.mqtt.codec.PubComp;
import io.starling.mqtt.codec.PubRec;
import io.starling.mqtt.codec.PubRel;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.ReasonCode;
import io.starling.mqtt.codec.Properties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Flow control (MQTT 5 §4.9): the broker sends no more unacknowledged QoS 1/2 messages than the
 * client's Receive Maximum, and a client that leaves more QoS 2 messages unreleased than the broker's
 * Receive Maximum of 20 gets PUBREC 0x97 "Quota exceeded" and stays connected, as with mosquitto 2.0.11.
 */
class FlowControlTest {
    @RegisterExtension
    static final BrokerUnderTest broker = new BrokerUnderTest();

    private static Mqtt5BlockingClient publisher;

    @BeforeAll
    static void connectPublisher() {
        publisher = HiveMq5.connected(broker, "flow-publisher");
    }

    @AfterAll
    static void disconnectPublisher() {
        HiveMq5.disconnectQuietly(publisher);
    }

    @Test
    void subscriberWithReceiveMaximum2_getsAtMostTwoUnacknowledgedMessages() throws Exception {
        try (Paho5Client subscriber = new Paho5Client(broker.uri(), "flow-paho")) {
            MqttConnectionOptions options = Paho5Client.options();
            options.setReceiveMaximum(2);
            subscriber.setManualAcks(true);
            subscriber.connect(options);
            subscriber.subscribe("flow/paho", 1);

            for (int i = 1; i <= 5; i++) {
                HiveMq5.publish(publisher, "flow/paho", "m" + i, MqttQos.AT_LEAST_ONCE);
            }

            List<Paho5Client.Received> first = subscriber.receive(2);
            assertThat(first).extracting(Paho5Client.Received::payload).containsExactly("m1", "m2");
            assertThat(subscriber.poll(Duration.ofMillis(400))).as("a third while two are unacknowledged").isEmpty();

            subscriber.ack(first.get(0));
            Paho5Client.Received third = subscriber.receive();
            assertThat(third.payload()).isEqualTo("m3");
            assertThat(subscriber.poll(Duration.ofMillis(300))).as("the window is full again").isEmpty();

            subscriber.ack(first.get(1));
            subscriber.ack(third);
            List<Paho5Client.Received> rest = subscriber.receive(2);
            assertThat(rest).extracting(Paho5Client.Received::payload).containsExactly("m4", "m5");
            for (Paho5Client.Received r : rest) {
                subscriber.ack(r);
            }
        }
    }

    @Test
    void subscriberAcceptingMore_stillGetsAtMost20Unacknowledged_theBrokersMaxInflight() throws Exception {
        try (Paho5Client subscriber = new Paho5Client(broker.uri(), "flow-max-inflight")) {
            subscriber.setManualAcks(true);
            subscriber.connect(Paho5Client.options()); // Receive Maximum 65535
            subscriber.subscribe("flow/max-inflight", 1);

            for (int i = 1; i <= 22; i++) {
                HiveMq5.publish(publisher, "flow/max-inflight", "m" + i, MqttQos.AT_LEAST_ONCE);
            }

            List<Paho5Client.Received> window = subscriber.receive(20);
            assertThat(subscriber.poll(Duration.ofMillis(400))).as("a 21st while 20 are unacknowledged").isEmpty();
            subscriber.ack(window.get(0));
            assertThat(subscriber.receive().payload()).isEqualTo("m21");
        }
    }

    @Test
    void subscriberWithReceiveMaximum1_getsQos2MessagesOneAtATime() throws Exception {
        Mqtt5BlockingClient subscriber = HiveMq5.client(broker, "flow-hivemq");
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = subscriber.publishes(MqttGlobalPublishFilter.ALL, true)) {
            subscriber.connectWith().restrictions().receiveMaximum(1).applyRestrictions().send();
            subscriber.subscribeWith().topicFilter("flow/hivemq").qos(MqttQos.EXACTLY_ONCE).send();

            for (int i = 1; i <= 3; i++) {
                HiveMq5.publish(publisher, "flow/hivemq", "q" + i, MqttQos.EXACTLY_ONCE);
            }

            List<String> got = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                Mqtt5Publish p = HiveMq5.receive(publishes);
                got.add(HiveMq5.payload(p));
                if (i < 3) {
                    assertThat(HiveMq5.poll(publishes, Duration.ofMillis(250))).as("next before the ack").isEmpty();
                }
                p.acknowledge();
            }
            assertThat(got).containsExactly("q1", "q2", "q3");
        } finally {
            HiveMq5.disconnectQuietly(subscriber);
        }
    }

    @Test
    void moreThan20UnreleasedQos2Publishes_getQuotaExceeded_andTheConnectionStays() {
        try (RawMqttClient raw = Raw5.connected(broker.port(), "flow-flood")) {
            for (int id = 1; id <= 21; id++) {
                raw.send(Raw5.publish("flow/flood", "m" + id, QoS.EXACTLY_ONCE, id, Properties.EMPTY));
            }

            for (int id = 1; id <= 20; id++) {
                PubRec rec = raw.receive(PubRec.class);
                assertThat(rec.packetId()).isEqualTo(id);
                assertThat(rec.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
            }
            PubRec refused = raw.receive(PubRec.class);
            assertThat(refused.packetId()).isEqualTo(21);
            assertThat(refused.reasonCode()).isEqualTo(ReasonCode.QUOTA_EXCEEDED); // as mosquitto 2.0.11
            raw.ping();
        }
    }

    @Test
    void qos2PublishesReleasedInTime_neverExceedTheReceiveMaximum() {
        try (RawMqttClient raw = Raw5.connected(broker.port(), "flow-released")) {
            for (int id = 1; id <= 30; id++) {
                raw.send(Raw5.publish("flow/released", "m" + id, QoS.EXACTLY_ONCE, id, Properties.EMPTY));
                assertThat(raw.receive(PubRec.class).packetId()).isEqualTo(id);
                raw.send(new PubRel(id));
                assertThat(raw.receive(PubComp.class).packetId()).isEqualTo(id);
            }

            raw.ping(); // still connected
        }
    }

    @Test
    void twentyUnreleasedQos2Publishes_areAccepted() {
        try (RawMqttClient raw = Raw5.connected(broker.port(), "flow-twenty")) {
            for (int id = 1; id <= 20; id++) {
                raw.send(Raw5.publish("flow/twenty", "m" + id, QoS.EXACTLY_ONCE, id, Properties.EMPTY));
            }
            for (int id = 1; id <= 20; id++) {
                Packet p = raw.receive();
                assertThat(p).isInstanceOf(PubRec.class);
            }

            raw.ping();
        }
    }
}
