package io.starling.broker.core.protocol.v5;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.auth.Authenticator;
import io.starling.broker.core.auth.Authorizer;
import io.starling.broker.core.auth.ClientIdentity;
import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PubAck;
import io.starling.mqtt.codec.PubComp;
import io.starling.mqtt.codec.PubRec;
import io.starling.mqtt.codec.PubRel;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.ReasonCode;
import io.starling.mqtt.codec.UnsubAck;
import io.starling.mqtt.codec.Unsubscribe;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The "No matching subscribers" reason code (0x10, MQTT 5 §3.4.2.1) as mosquitto 2.0.11 sends it: in a
 * PUBACK only, and only when no subscription matches the topic at all. A match that is skipped after
 * matching (the publisher's own No Local subscription, a reader the ACL denies) still counts, as do
 * shared subscriptions and offline persistent sessions. A QoS 2 message is routed at PUBREL, so its
 * PUBREC never says 0x10. A 3.1.1 acknowledgement has no reason code.
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
    void qos2PublishWithoutSubscribers_isAnsweredWithPubRecSuccess() {
        TestClient pub = Mqtt5.connected(broker, "pub");

        int id = pub.publish("a/b", QoS.EXACTLY_ONCE, "x");
        assertThat(pub.take()).containsExactly(new PubRec(id, ReasonCode.SUCCESS, Properties.EMPTY));
        pub.send(new PubRel(id));

        assertThat(pub.take()).containsExactly(new PubComp(id));
        broker.payloads().assertAllReleased();
    }

    @Test
    void qos1PublishMatchingOnlyThePublishersOwnNoLocalSubscription_isAckedWithSuccess() {
        TestClient pub = Mqtt5.connected(broker, "pub");
        Mqtt5.subscribe(pub, Properties.EMPTY, Mqtt5.subscription("a/+", QoS.AT_LEAST_ONCE, true, false, 0));

        int id = pub.publish("a/b", QoS.AT_LEAST_ONCE, "mine");

        assertThat(pub.take()).containsExactly(new PubAck(id, ReasonCode.SUCCESS, Properties.EMPTY));
    }

    @Test
    void qos1PublishWhoseOnlySubscriberMayNotReadIt_isAckedWithSuccess() {
        broker.core().replaceSecurity(Authenticator.anonymous(true), new Authorizer() {
            @Override
            public Access canPublish(ClientIdentity client, String topic) {
                return Access.ALLOW;
            }

            @Override
            public Access canRead(ClientIdentity client, String topic) {
                return Access.DENY;
            }

            @Override
            public Access canSubscribe(ClientIdentity client, String filter) {
                return Access.ALLOW;
            }
        });
        TestClient sub = Mqtt5.connected(broker, "sub");
        sub.subscribe("a/#", QoS.AT_LEAST_ONCE);
        TestClient pub = Mqtt5.connected(broker, "pub");

        int id = pub.publish("a/b", QoS.AT_LEAST_ONCE, "x");

        assertThat(pub.take()).containsExactly(new PubAck(id, ReasonCode.SUCCESS, Properties.EMPTY));
        sub.expectNothing();
    }

    @Test
    void qos1PublishToASharedSubscription_isAckedWithSuccess() {
        TestClient member = Mqtt5.connected(broker, "member");
        member.subscribe("$share/g/a/b", QoS.AT_LEAST_ONCE);
        TestClient pub = Mqtt5.connected(broker, "pub");

        int id = pub.publish("a/b", QoS.AT_LEAST_ONCE, "x");

        assertThat(pub.take()).containsExactly(new PubAck(id, ReasonCode.SUCCESS, Properties.EMPTY));
    }

    @Test
    void qos1PublishAfterTheOnlySubscriberUnsubscribed_isAckedWithNoMatchingSubscribers() {
        TestClient sub = Mqtt5.connected(broker, "sub");
        sub.subscribe("a/b", QoS.AT_LEAST_ONCE);
        sub.send(new Unsubscribe(sub.packetId(), List.of("a/b"), Properties.EMPTY));
        sub.expect(UnsubAck.class);
        TestClient pub = Mqtt5.connected(broker, "pub");

        int id = pub.publish("a/b", QoS.AT_LEAST_ONCE, "x");

        assertThat(pub.take()).containsExactly(new PubAck(id, ReasonCode.NO_MATCHING_SUBSCRIBERS, Properties.EMPTY));
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
