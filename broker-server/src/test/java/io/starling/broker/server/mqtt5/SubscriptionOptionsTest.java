package io.starling.broker.server.mqtt5;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Subscription options and identifiers (MQTT 5 §3.8.3.1, §3.8.2.1.2): No Local, Retain As Published,
 * Retain Handling 0/1/2, and the Subscription Identifiers a message carries for the subscriptions
 * it matched.
 */
class SubscriptionOptionsTest {
    @RegisterExtension
    static final BrokerUnderTest broker = new BrokerUnderTest();

    private static Mqtt5BlockingClient publisher;

    @BeforeAll
    static void connectPublisher() {
        publisher = HiveMq5.connected(broker, "options-publisher");
    }

    @AfterAll
    static void disconnectPublisher() {
        HiveMq5.disconnectQuietly(publisher);
    }

    @Test
    void noLocal_doesNotSendAClientItsOwnMessages() throws Exception {
        try (Paho5Client client = Paho5Client.connected(broker, "options-nolocal")) {
            MqttSubscription s = new MqttSubscription("options/nolocal", 1);
            s.setNoLocal(true);
            client.subscribe(s);

            client.publish("options/nolocal", "own", 1);
            HiveMq5.publish(publisher, "options/nolocal", "other", MqttQos.AT_LEAST_ONCE);

            assertThat(client.receive().payload()).isEqualTo("other");
            assertThat(client.poll(Duration.ofMillis(200))).isEmpty();
        }
    }

    @Test
    void withoutNoLocal_aClientReceivesItsOwnMessages() throws Exception {
        try (Paho5Client client = Paho5Client.connected(broker, "options-local")) {
            client.subscribe("options/local", 1);

            client.publish("options/local", "own", 1);

            assertThat(client.receive().payload()).isEqualTo("own");
        }
    }

    @Test
    void retainAsPublished_keepsTheRetainFlagOfAForwardedMessage_andItsAbsenceClearsIt() throws Exception {
        Mqtt5BlockingClient plain = HiveMq5.connected(broker, "options-rap-plain");
        try (Mqtt5BlockingClient.Mqtt5Publishes plainPublishes = plain.publishes(MqttGlobalPublishFilter.ALL);
             Paho5Client asPublished = Paho5Client.connected(broker, "options-rap")) {
            MqttSubscription s = new MqttSubscription("options/rap", 1);
            s.setRetainAsPublished(true);
            asPublished.subscribe(s);
            plain.subscribeWith().topicFilter("options/rap").qos(MqttQos.AT_LEAST_ONCE).retainAsPublished(false).send();

            publishRetained("options/rap", "live");

            Paho5Client.Received kept = asPublished.receive();
            Mqtt5Publish cleared = HiveMq5.receive(plainPublishes);
            assertThat(kept.payload()).isEqualTo("live");
            assertThat(kept.message().isRetained()).as("Retain As Published").isTrue();
            assertThat(HiveMq5.payload(cleared)).isEqualTo("live");
            assertThat(cleared.isRetain()).as("forwarded without Retain As Published").isFalse();
        } finally {
            HiveMq5.disconnectQuietly(plain);
            clearRetained("options/rap");
        }
    }

    @Test
    void retainedMessageSentOnSubscribe_hasTheRetainFlag_withoutRetainAsPublished() throws Exception {
        publishRetained("options/retained-flag", "stored");
        try (Paho5Client client = Paho5Client.connected(broker, "options-retained-flag")) {
            client.subscribe("options/retained-flag", 1);

            Paho5Client.Received r = client.receive();
            assertThat(r.payload()).isEqualTo("stored");
            assertThat(r.message().isRetained()).isTrue(); // MQTT-3.3.1-9
        } finally {
            clearRetained("options/retained-flag");
        }
    }

    @Test
    void retainHandling0_sendsRetainedMessagesOnEverySubscribe() throws Exception {
        publishRetained("options/rh0", "stored");
        try (Paho5Client client = Paho5Client.connected(broker, "options-rh0")) {
            client.subscribe(retainHandling("options/rh0", 0));
            assertThat(client.receive().payload()).isEqualTo("stored");

            client.subscribe(retainHandling("options/rh0", 0));

            assertThat(client.receive().payload()).as("again for the repeated subscription").isEqualTo("stored");
        } finally {
            clearRetained("options/rh0");
        }
    }

    @Test
    void retainHandling1_sendsRetainedMessagesOnlyForANewSubscription() throws Exception {
        publishRetained("options/rh1", "stored");
        try (Paho5Client client = Paho5Client.connected(broker, "options-rh1")) {
            client.subscribe(retainHandling("options/rh1", 1));
            assertThat(client.receive().payload()).isEqualTo("stored");

            client.subscribe(retainHandling("options/rh1", 1));
            HiveMq5.publish(publisher, "options/rh1", "barrier", MqttQos.AT_LEAST_ONCE);

            assertThat(client.receive().payload()).as("nothing retained for an existing subscription")
                    .isEqualTo("barrier");
        } finally {
            clearRetained("options/rh1");
        }
    }

    @Test
    void retainHandling2_neverSendsRetainedMessages() throws Exception {
        publishRetained("options/rh2", "stored");
        try (Paho5Client client = Paho5Client.connected(broker, "options-rh2")) {
            client.subscribe(retainHandling("options/rh2", 2));
            HiveMq5.publish(publisher, "options/rh2", "barrier", MqttQos.AT_LEAST_ONCE);

            assertThat(client.receive().payload()).isEqualTo("barrier");
        } finally {
            clearRetained("options/rh2");
        }
    }

    @Test
    void subscriptionIdentifier_isSentWithMatchingMessages() throws Exception {
        try (Paho5Client client = Paho5Client.connected(broker, "options-id")) {
            client.subscribe(subscriptionId(7), new MqttSubscription("options/id/+", 1));

            HiveMq5.publish(publisher, "options/id/a", "tagged", MqttQos.AT_LEAST_ONCE);

            Paho5Client.Received r = client.receive();
            assertThat(r.payload()).isEqualTo("tagged");
            assertThat(r.properties().getSubscriptionIdentifiers()).containsExactly(7);
        }
    }

    @Test
    void overlappingSubscriptions_deliverACopyPerSubscription_plusBeforeHash_asMosquittoDoes() throws Exception {
        try (Paho5Client client = Paho5Client.connected(broker, "options-ids")) {
            client.subscribe(subscriptionId(1), new MqttSubscription("options/ids/#", 1));
            client.subscribe(subscriptionId(2), new MqttSubscription("options/ids/+", 0));

            HiveMq5.publish(publisher, "options/ids/x", "both", MqttQos.AT_LEAST_ONCE);

            Paho5Client.Received first = client.receive();
            assertThat(first.payload()).isEqualTo("both");
            assertThat(first.properties().getSubscriptionIdentifiers()).containsExactly(2);
            assertThat(first.message().getQos()).as("the QoS of options/ids/+").isEqualTo(0);
            Paho5Client.Received second = client.receive();
            assertThat(second.properties().getSubscriptionIdentifiers()).containsExactly(1);
            assertThat(second.message().getQos()).as("the QoS of options/ids/#").isEqualTo(1);
            assertThat(client.poll(Duration.ofMillis(200))).as("one copy per subscription").isEmpty();
        }
    }

    @Test
    void overlappingSubscriptionWithoutIdentifier_getsItsCopyWithoutOne() throws Exception {
        try (Paho5Client client = Paho5Client.connected(broker, "options-id-mixed")) {
            client.subscribe(subscriptionId(5), new MqttSubscription("options/mixed/#", 1));
            client.subscribe("options/mixed/+", 1);

            HiveMq5.publish(publisher, "options/mixed/x", "one id", MqttQos.AT_LEAST_ONCE);

            assertThat(client.receive().properties().getSubscriptionIdentifiers()).isEmpty();
            assertThat(client.receive().properties().getSubscriptionIdentifiers()).containsExactly(5);
        }
    }

    @Test
    void retainedMessageSentOnSubscribe_carriesTheSubscriptionIdentifier() throws Exception {
        publishRetained("options/retained-id", "stored");
        try (Paho5Client client = Paho5Client.connected(broker, "options-retained-id")) {
            client.subscribe(subscriptionId(42), new MqttSubscription("options/retained-id", 1));

            Paho5Client.Received r = client.receive();
            assertThat(r.message().isRetained()).isTrue();
            assertThat(r.properties().getSubscriptionIdentifiers()).containsExactly(42);
        } finally {
            clearRetained("options/retained-id");
        }
    }

    @Test
    void noLocal_isHonouredForAHiveMqSubscriberToo() throws Exception {
        Mqtt5BlockingClient client = HiveMq5.connected(broker, "options-nolocal-hivemq");
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = client.publishes(MqttGlobalPublishFilter.ALL)) {
            client.subscribeWith().topicFilter("options/nolocal-hivemq").qos(MqttQos.AT_LEAST_ONCE).noLocal(true)
                    .send();

            HiveMq5.publish(client, "options/nolocal-hivemq", "own", MqttQos.AT_LEAST_ONCE);
            HiveMq5.publish(publisher, "options/nolocal-hivemq", "other", MqttQos.AT_LEAST_ONCE);

            assertThat(HiveMq5.payload(HiveMq5.receive(publishes))).isEqualTo("other");
            assertThat(HiveMq5.poll(publishes, Duration.ofMillis(200))).isEmpty();
        } finally {
            HiveMq5.disconnectQuietly(client);
        }
    }

    private static MqttSubscription retainHandling(String filter, int handling) {
        MqttSubscription s = new MqttSubscription(filter, 1);
        s.setRetainHandling(handling);
        return s;
    }

    private static MqttProperties subscriptionId(int id) {
        MqttProperties p = new MqttProperties();
        p.setSubscriptionIdentifier(id);
        return p;
    }

    private static void publishRetained(String topic, String payload) {
        publisher.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).retain(true)
                .payload(payload.getBytes(StandardCharsets.UTF_8)).send();
    }

    private static void clearRetained(String topic) {
        publisher.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).retain(true).send();
    }
}
