package io.starling.broker.core.protocol.v5;

import io.starling.broker.core.BrokerSettings;
import static io.starling.broker.core.protocol.v5.Mqtt5.subscription;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.mqtt.codec.Packet;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.PubAck;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.ReasonCode;
import io.starling.mqtt.codec.SubAck;
import io.starling.mqtt.codec.Unsubscribe;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The MQTT 5 subscription options (§3.8.3.1): No Local, Retain As Published and Retain Handling,
 * and the Subscription Identifier (§3.8.2.1.2) that comes back with each matching message.
 */
class SubscriptionOptionsTest {
    private final TestBroker broker = TestBroker.start();

    @AfterEach
    void tearDown() {
        broker.close();
    }

    private static List<Long> subscriptionIds(Publish p) {
        return p.properties().numbers(PropertyId.SUBSCRIPTION_IDENTIFIER);
    }

    /** Stores a retained message on {@code topic} from a separate publisher. */
    private void retained(String topic, String payload) {
        TestClient pub = Mqtt5.connected(broker, "retainer");
        pub.publish(topic, QoS.AT_MOST_ONCE, true, payload);
        pub.disconnect();
    }

    // ---- No Local ----

    @Test
    void noLocal_keepsAClientsOwnMessagesFromIt() {
        TestClient c = Mqtt5.connected(broker, "c");
        Mqtt5.subscribe(c, Properties.EMPTY, subscription("a/b", QoS.AT_MOST_ONCE, true, false, 0));
        TestClient other = Mqtt5.connected(broker, "other");
        other.subscribe("a/b", QoS.AT_MOST_ONCE);

        c.publish("a/b", QoS.AT_MOST_ONCE, "mine");

        c.expectNothing(); // MQTT-3.8.3-3
        assertThat(other.takePublishes()).extracting(Mqtt5::text).containsExactly("mine");
    }

    @Test
    void noLocal_stillDeliversOtherClientsMessages() {
        TestClient c = Mqtt5.connected(broker, "c");
        Mqtt5.subscribe(c, Properties.EMPTY, subscription("a/b", QoS.AT_MOST_ONCE, true, false, 0));
        TestClient other = Mqtt5.connected(broker, "other");

        other.publish("a/b", QoS.AT_MOST_ONCE, "theirs");

        assertThat(c.takePublishes()).extracting(Mqtt5::text).containsExactly("theirs");
    }

    @Test
    void withoutNoLocal_aClientGetsItsOwnMessages() {
        TestClient c = Mqtt5.connected(broker, "c");
        Mqtt5.subscribe(c, Properties.EMPTY, subscription("a/b", QoS.AT_MOST_ONCE, false, false, 0));

        c.publish("a/b", QoS.AT_MOST_ONCE, "echo");

        assertThat(c.takePublishes()).extracting(Mqtt5::text).containsExactly("echo");
    }

    @Test
    void noLocalPublisherAlone_isAckedWithSuccess_asMosquittoCountsTheMatch() {
        TestClient c = Mqtt5.connected(broker, "c");
        Mqtt5.subscribe(c, Properties.EMPTY, subscription("a/b", QoS.AT_LEAST_ONCE, true, false, 0));

        int id = c.publish("a/b", QoS.AT_LEAST_ONCE, "mine");

        assertThat(c.take()).containsExactly(new PubAck(id, ReasonCode.SUCCESS, Properties.EMPTY));
        c.expectNothing();
    }

    // ---- Retain As Published ----

    @Test
    void retainAsPublished_keepsTheRetainFlagOnLiveMessages() {
        TestClient kept = Mqtt5.connected(broker, "kept");
        Mqtt5.subscribe(kept, Properties.EMPTY, subscription("a/b", QoS.AT_MOST_ONCE, false, true, 0));
        TestClient cleared = Mqtt5.connected(broker, "cleared");
        Mqtt5.subscribe(cleared, Properties.EMPTY, subscription("a/b", QoS.AT_MOST_ONCE, false, false, 0));
        TestClient pub = Mqtt5.connected(broker, "pub");

        pub.publish("a/b", QoS.AT_MOST_ONCE, true, "retained");
        pub.publish("a/b", QoS.AT_MOST_ONCE, false, "plain");

        assertThat(kept.takePublishes()).extracting(Publish::retain).containsExactly(true, false);
        assertThat(cleared.takePublishes()).extracting(Publish::retain).containsExactly(false, false); // MQTT-3.3.1-12
    }

    @Test
    void retainedMessageSentOnSubscribe_hasTheRetainFlagWithOrWithoutRetainAsPublished() {
        retained("a/b", "stored");
        TestClient c = Mqtt5.connected(broker, "c");

        Mqtt5.subscribe(c, Properties.EMPTY, subscription("a/b", QoS.AT_MOST_ONCE, false, false, 0));

        assertThat(c.takePublishes()).extracting(Publish::retain).containsExactly(true); // MQTT-3.3.1-9
    }

    // ---- Retain Handling ----

    @Test
    void retainHandling0_sendsRetainedMessagesOnEverySubscribe() {
        retained("a/b", "stored");
        TestClient c = Mqtt5.connected(broker, "c");

        Mqtt5.subscribe(c, Properties.EMPTY, subscription("a/b", QoS.AT_MOST_ONCE, false, false, 0));
        assertThat(c.takePublishes()).extracting(Mqtt5::text).containsExactly("stored");

        Mqtt5.subscribe(c, Properties.EMPTY, subscription("a/b", QoS.AT_MOST_ONCE, false, false, 0));
        assertThat(c.takePublishes()).extracting(Mqtt5::text).containsExactly("stored"); // MQTT-3.3.1-9
    }

    @Test
    void retainHandling1_sendsRetainedMessagesOnlyForANewSubscription() {
        retained("a/b", "stored");
        TestClient c = Mqtt5.connected(broker, "c");

        Mqtt5.subscribe(c, Properties.EMPTY, subscription("a/b", QoS.AT_MOST_ONCE, false, false, 1));
        assertThat(c.takePublishes()).extracting(Mqtt5::text).containsExactly("stored");

        Mqtt5.subscribe(c, Properties.EMPTY, subscription("a/b", QoS.AT_MOST_ONCE, false, false, 1));
        c.expectNothing(); // MQTT-3.3.1-10
    }

    @Test
    void retainHandling1_sendsAgainAfterAnUnsubscribe() {
        retained("a/b", "stored");
        TestClient c = Mqtt5.connected(broker, "c");
        Mqtt5.subscribe(c, Properties.EMPTY, subscription("a/b", QoS.AT_MOST_ONCE, false, false, 1));
        c.take();

        c.send(new Unsubscribe(c.packetId(), List.of("a/b"), Properties.EMPTY));
        c.take();
        Mqtt5.subscribe(c, Properties.EMPTY, subscription("a/b", QoS.AT_MOST_ONCE, false, false, 1));

        assertThat(c.takePublishes()).extracting(Mqtt5::text).containsExactly("stored");
    }

    @Test
    void retainHandling2_neverSendsRetainedMessages() {
        retained("a/b", "stored");
        TestClient c = Mqtt5.connected(broker, "c");

        Mqtt5.subscribe(c, Properties.EMPTY, subscription("a/b", QoS.AT_MOST_ONCE, false, false, 2));
        Mqtt5.subscribe(c, Properties.EMPTY, subscription("a/#", QoS.AT_MOST_ONCE, false, false, 2));

        c.expectNothing(); // MQTT-3.3.1-11
    }

    @Test
    void retainHandling2_stillDeliversLiveMessages() {
        TestClient c = Mqtt5.connected(broker, "c");
        Mqtt5.subscribe(c, Properties.EMPTY, subscription("a/b", QoS.AT_MOST_ONCE, false, false, 2));

        Mqtt5.connected(broker, "pub").publish("a/b", QoS.AT_MOST_ONCE, "live");

        assertThat(c.takePublishes()).extracting(Mqtt5::text).containsExactly("live");
    }

    // ---- Subscription Identifier ----

    @Test
    void subscriptionIdentifier_comesBackWithMatchingMessages() {
        TestClient c = Mqtt5.connected(broker, "c");
        SubAck ack = Mqtt5.subscribe(c, 42, subscription("a/+", QoS.AT_MOST_ONCE, false, false, 0));
        assertThat(ack.reasonCodes()).containsExactly(ReasonCode.GRANTED_QOS_0);

        Mqtt5.connected(broker, "pub").publish("a/b", QoS.AT_MOST_ONCE, "x");

        List<Publish> got = c.takePublishes();
        assertThat(got).hasSize(1);
        assertThat(subscriptionIds(got.get(0))).containsExactly(42L); // MQTT-3.3.4-3
    }

    @Test
    void subscriptionIdentifier_comesBackWithRetainedMessagesOnSubscribe() {
        retained("a/b", "stored");
        TestClient c = Mqtt5.connected(broker, "c");

        Mqtt5.subscribe(c, 7, subscription("a/#", QoS.AT_MOST_ONCE, false, false, 0));

        List<Publish> got = c.takePublishes();
        assertThat(got).hasSize(1);
        assertThat(subscriptionIds(got.get(0))).containsExactly(7L);
    }

    @Test
    void twoMatchingSubscriptionsWithDifferentIds_giveOnePublishEach_literalFirst_asMosquittoSends() {
        TestClient c = Mqtt5.connected(broker, "c");
        Mqtt5.subscribe(c, 1, subscription("a/+", QoS.AT_MOST_ONCE, false, false, 0));
        Mqtt5.subscribe(c, 2, subscription("a/b", QoS.AT_LEAST_ONCE, false, false, 0));

        Mqtt5.connected(broker, "pub").publish("a/b", QoS.AT_LEAST_ONCE, "once");

        List<Publish> got = c.takePublishes();
        assertThat(got).hasSize(2); // MQTT 5 §3.3.4 allows a copy per subscription, as mosquitto 2.0 sends
        assertThat(subscriptionIds(got.get(0))).containsExactly(2L);
        assertThat(got.get(0).qos()).isEqualTo(QoS.AT_LEAST_ONCE);
        assertThat(subscriptionIds(got.get(1))).containsExactly(1L);
        assertThat(got.get(1).qos()).isEqualTo(QoS.AT_MOST_ONCE);
        c.ack(got.get(0));
    }

    @Test
    void matchingSubscriptionWithoutAnId_getsItsOwnCopyWithoutOne() {
        TestClient c = Mqtt5.connected(broker, "c");
        Mqtt5.subscribe(c, 5, subscription("a/+", QoS.AT_MOST_ONCE, false, false, 0));
        Mqtt5.subscribe(c, Properties.EMPTY, subscription("a/b", QoS.AT_MOST_ONCE, false, false, 0));

        Mqtt5.connected(broker, "pub").publish("a/b", QoS.AT_MOST_ONCE, "x");

        List<Publish> got = c.takePublishes();
        assertThat(got).hasSize(2);
        assertThat(subscriptionIds(got.get(0))).isEmpty();
        assertThat(subscriptionIds(got.get(1))).containsExactly(5L);
    }

    @Test
    void resubscribingWithAnotherId_replacesTheOldOne() {
        TestClient c = Mqtt5.connected(broker, "c");
        Mqtt5.subscribe(c, 1, subscription("a/b", QoS.AT_MOST_ONCE, false, false, 2));
        Mqtt5.subscribe(c, 2, subscription("a/b", QoS.AT_MOST_ONCE, false, false, 2));

        Mqtt5.connected(broker, "pub").publish("a/b", QoS.AT_MOST_ONCE, "x");

        List<Packet> got = c.take();
        assertThat(got).hasSize(1);
        assertThat(subscriptionIds((Publish) got.get(0))).containsExactly(2L);
    }

    // ---- max_subscribe_filters ----

    @Test
    void filtersPastMaxSubscribeFilters_getQuotaExceeded() {
        try (TestBroker small = TestBroker.start(BrokerSettings.defaults().toBuilder().maxSubscribeFilters(1).build())) {
            TestClient c = Mqtt5.connected(small, "c");

            SubAck ack = Mqtt5.subscribe(c, Properties.EMPTY, subscription("a", QoS.AT_LEAST_ONCE, false, false, 0),
                    subscription("b", QoS.AT_LEAST_ONCE, false, false, 0));

            assertThat(ack.reasonCodes()).containsExactly(1, ReasonCode.QUOTA_EXCEEDED);
        }
    }
}
