package io.starling.broker.core.protocol.v5;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.BrokerSettings;
import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PubAck;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.ReasonCode;
import io.starling.mqtt.codec.SubAck;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A broker whose Maximum QoS is 1 (a listener's max_qos; MQTT 5 §3.2.2.3.4): a PUBLISH above it is
 * a violation (MQTT-3.2.2-11), a SUBSCRIBE above it is granted the maximum, and a will above it is
 * refused at CONNECT (MQTT-3.2.2-12).
 */
class MaximumQosTest {
    private final TestBroker broker = TestBroker.start(BrokerSettings.defaults().toBuilder().maxQos(1).build());

    @AfterEach
    void tearDown() {
        broker.close();
    }

    @Test
    void publishAboveTheMaximumQos_closesTheConnectionWithQosNotSupported() {
        TestClient sub = Mqtt5.connected(broker, "sub");
        sub.subscribe("a/b", QoS.AT_LEAST_ONCE);
        TestClient pub = Mqtt5.connected(broker, "pub");

        pub.publish("a/b", QoS.EXACTLY_ONCE, "x");

        Mqtt5.assertDisconnectedWith(pub, ReasonCode.QOS_NOT_SUPPORTED);
        sub.expectNothing();
        broker.payloads().assertAllReleased();
    }

    @Test
    void publishAboveTheMaximumQosToAWildcardTopic_isRefusedForItsQosFirst() {
        TestClient pub = Mqtt5.connected(broker, "pub");

        pub.publish("a/+", QoS.EXACTLY_ONCE, "x"); // mosquitto 2.0.11 checks the QoS before the topic

        Mqtt5.assertDisconnectedWith(pub, ReasonCode.QOS_NOT_SUPPORTED);
        broker.payloads().assertAllReleased();
    }

    @Test
    void publishAtTheMaximumQos_isAccepted() {
        TestClient pub = Mqtt5.connected(broker, "pub");

        int id = pub.publish("a/b", QoS.AT_LEAST_ONCE, "x");

        assertThat(pub.take()).containsExactly(new PubAck(id, ReasonCode.NO_MATCHING_SUBSCRIBERS, Properties.EMPTY));
        assertThat(pub.isClosed()).isFalse();
    }

    @Test
    void subscribeAskingQos2_isGrantedQos1AndDeliveredAtQos1() {
        TestClient sub = Mqtt5.connected(broker, "sub");

        SubAck ack = sub.subscribe("a/b", QoS.EXACTLY_ONCE);
        Mqtt5.connected(broker, "pub").publish("a/b", QoS.AT_LEAST_ONCE, "x");

        assertThat(ack.reasonCodes()).containsExactly(ReasonCode.GRANTED_QOS_1);
        List<Publish> got = sub.takePublishes();
        assertThat(got).extracting(Publish::qos).containsExactly(QoS.AT_LEAST_ONCE);
        sub.ack(got.get(0));
    }

    @Test
    void willAboveTheMaximumQos_isRefusedAtConnect() {
        TestClient c = broker.newClient();

        ConnAck ack = c.connect(Mqtt5.connect("c", true, 60,
                Mqtt5.will("will/c", "x", QoS.EXACTLY_ONCE, Properties.EMPTY), Properties.EMPTY));

        assertThat(ack.reasonCode()).isEqualTo(ReasonCode.QOS_NOT_SUPPORTED);
        assertThat(c.isClosed()).isTrue();
    }
}
