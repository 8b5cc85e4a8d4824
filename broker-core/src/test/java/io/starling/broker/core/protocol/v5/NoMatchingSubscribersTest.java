package io.starling.broker.core.protocol.v5;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PubAck;
import io.starling.mqtt.codec.PubComp;
import io.starling.mqtt.codec.PubRec;
import io.starling.mqtt.codec.PubRel;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.ReasonCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The "No matching subscribers" reason code (0x10, MQTT 5 §3.4.2.1): a 5.0 publisher learns from
 * its PUBACK or PUBREC that nobody received the message; a 3.1.1 acknowledgement has no reason code.
 */
class NoMatchingSubscribersTest {
    private final TestBroker broker = TestBroker.start();

    @AfterEach
    void tearDown() {
        broker.close();
    }

    @Test
    void qos1PublishWithoutSubscribers_isAckedWithNoMatchingSubscribers() {
        TestClient pub = Mqtt5.connected(broker, "pub");

        int id = pub.publish("a/b", QoS.AT_LEAST_ONCE, "x");

        assertThat(pub.take()).containsExactly(new PubAck(id, ReasonCode.NO_MATCHING_SUBSCRIBERS, Properties.EMPTY));
        broker.payloads().assertAllReleased();
    }

    @Test
    void qos1PublishWithASubscriber_isAckedWithSuccess() {
        TestClient sub = Mqtt5.connected(broker, "sub");
        sub.subscribe("a/#", QoS.AT_MOST_ONCE);
        TestClient pub = Mqtt5.connected(broker, "pub");

        int id = pub.publish("a/b", QoS.AT_LEAST_ONCE, "x");

        assertThat(pub.take()).containsExactly(new PubAck(id, ReasonCode.SUCCESS, Properties.EMPTY));
    }

    @Test
    void qos2PublishWithoutSubscribers_isAnsweredWithPubRecNoMatchingSubscribersAndCompletes() {
        TestClient pub = Mqtt5.connected(broker, "pub");

        int id = pub.publish("a/b", QoS.EXACTLY_ONCE, "x");
        assertThat(pub.take()).containsExactly(new PubRec(id, ReasonCode.NO_MATCHING_SUBSCRIBERS, Properties.EMPTY));
        pub.send(new PubRel(id));

        assertThat(pub.take()).containsExactly(new PubComp(id)); // 0x10 is a success: the flow goes on
    }

    @Test
    void retainedPublishWithoutSubscribers_isStillNoMatchingSubscribersButStored() {
        TestClient pub = Mqtt5.connected(broker, "pub");

        int id = pub.publish("a/b", QoS.AT_LEAST_ONCE, true, "kept");

        assertThat(pub.take()).containsExactly(new PubAck(id, ReasonCode.NO_MATCHING_SUBSCRIBERS, Properties.EMPTY));
        assertThat(broker.core().retained().size()).isEqualTo(1);
    }

    @Test
    void mqtt311PublishWithoutSubscribers_isAckedPlainly() {
        TestClient pub = broker.connected("pub");

        int id = pub.publish("a/b", QoS.AT_LEAST_ONCE, "x");

        assertThat(pub.take()).containsExactly(new PubAck(id));
    }

    @Test
    void mqtt311Qos2PublishWithoutSubscribers_isAnsweredWithAPlainPubRec() {
        TestClient pub = broker.connected("pub");

        int id = pub.publish("a/b", QoS.EXACTLY_ONCE, "x");

        assertThat(pub.take()).containsExactly(new PubRec(id));
    }
}
