package io.starling.broker.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.BrokerSettings;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.session.Session;
import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.ReasonCode;
import io.starling.mqtt.codec.SubAck;
import io.starling.mqtt.codec.Subscribe;
import io.starling.mqtt.codec.Subscription;
import io.starling.mqtt.codec.SubscriptionOptions;
import io.starling.mqtt.codec.UnsubAck;
import io.starling.mqtt.codec.Unsubscribe;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SUBSCRIBE and UNSUBSCRIBE (3.1.1 §3.8–3.11) and what the subscriptions then receive. */
class SubscribeHandlerTest {
    private final TestBroker broker = TestBroker.start();

    @AfterEach
    void tearDown() {
        broker.close();
    }

    private static Subscription sub(String filter, int qos) {
        return new Subscription(filter, SubscriptionOptions.of(QoS.of(qos)));
    }

    private static String text(Publish p) {
        return p.payload().toString(StandardCharsets.UTF_8);
    }

    @Test
    void bridgeOf311_getsItsOwnMessagesNotBack_andRetainFlagsAsPublished_asFromMosquitto() {
        // A mosquitto bridge (try_private) on both sides of '#' would loop without this: what it publishes here
        // must not come back to it, and retained messages must keep their flag on the other broker.
        TestClient bridge = new TestClient(broker.core(), broker.loop(), broker.payloads());
        bridge.connect(new io.starling.mqtt.codec.Connect(io.starling.mqtt.codec.MqttVersion.MQTT_3_1_1, "edge.cloud",
                false, 60, null, null, null, Properties.EMPTY, true));
        bridge.subscribe(sub("#", 1));
        broker.connected("retainer").publish("r/t", QoS.AT_MOST_ONCE, true, "kept");
        bridge.take();

        bridge.publish("from/remote", QoS.AT_MOST_ONCE, "x");
        bridge.expectNothing();
        TestClient late = new TestClient(broker.core(), broker.loop(), broker.payloads());
        late.connect(new io.starling.mqtt.codec.Connect(io.starling.mqtt.codec.MqttVersion.MQTT_3_1_1, "edge2.cloud",
                true, 60, null, null, null, Properties.EMPTY, true));
        late.subscribe(sub("r/#", 0));
        broker.connected("p").publish("r/t", QoS.AT_MOST_ONCE, true, "again");
        List<Publish> got = late.takePublishes();
        assertThat(got).extracting(Publish::retain).containsExactly(true, true);
    }

    @Test
    void ordinaryClient_getsItsOwnMessagesBack() {
        TestClient c = broker.connected("c");
        c.subscribe(sub("#", 0));
        c.publish("a", QoS.AT_MOST_ONCE, "echo");
        assertThat(c.takePublishes()).extracting(SubscribeHandlerTest::text).containsExactly("echo");
    }

    @Test
    void subAck_grantsTheRequestedQosPerFilterInOrder() {
        TestClient c = broker.connected("c");

        SubAck ack = c.subscribe(sub("a", 2), sub("b", 0), sub("c", 1));

        assertThat(ack.reasonCodes()).containsExactly(2, 0, 1);
        assertThat(ack.packetId()).isEqualTo(1);
        assertThat(c.onSession(Session::subscriptionCount)).isEqualTo(3);
    }

    @Test
    void overlappingSubscriptions_getOneDeliveryAtTheHighestGrantedQos() {
        TestClient c = broker.connected("c");
        c.subscribe(sub("a/+", 1), sub("a/#", 2), sub("a/b", 0));
        TestClient pub = broker.connected("pub");

        pub.publishAndRelease("a/b", QoS.EXACTLY_ONCE, "x");

        List<Publish> got = c.takePublishes();
        assertThat(got).hasSize(1); // MQTT-3.3.5-1
        assertThat(got.get(0).qos()).isEqualTo(QoS.EXACTLY_ONCE);
    }

    @Test
    void overlappingSubscriptions_areCappedByThePublishedQos() {
        TestClient c = broker.connected("c");
        c.subscribe(sub("a/+", 1), sub("a/#", 2), sub("a/b", 0));
        TestClient pub = broker.connected("pub");

        pub.publish("a/b", QoS.AT_LEAST_ONCE, "x");

        List<Publish> got = c.takePublishes();
        assertThat(got).hasSize(1);
        assertThat(got.get(0).qos()).isEqualTo(QoS.AT_LEAST_ONCE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/#/b", "a+", "#a", "", "$share/g+/a", "$share//a", "$share/g"})
    void aSubscribeWithAnInvalidFilter_isMalformed_noneOfItsFiltersApply(String invalid) {
        TestClient c = broker.newClient();
        c.connect("c", false);

        c.send(new Subscribe(1, List.of(sub("x/y", 1), sub(invalid, 1)), Properties.EMPTY));

        assertThat(c.take()).isEmpty(); // 3.1.1: closed without SUBACK, as mosquitto 2.0.11
        assertThat(c.isClosed()).isTrue();
        TestClient again = broker.newClient();
        again.connect("c", false);
        assertThat(again.onSession(Session::subscriptionCount)).isZero();
    }

    @Test
    void sharedSubscriptionOn311_isGrantedAndEachMessageGoesToOneMember() {
        TestClient a = broker.connected("a");
        TestClient b = broker.connected("b");
        assertThat(a.subscribe(sub("$share/g/t", 1)).reasonCodes()).containsExactly(1);
        assertThat(b.subscribe(sub("$share/g/t", 1)).reasonCodes()).containsExactly(1);
        TestClient pub = broker.connected("pub");

        for (int i = 0; i < 4; i++) {
            pub.publish("t", QoS.AT_MOST_ONCE, "m" + i);
        }

        assertThat(a.takePublishes().size() + b.takePublishes().size()).isEqualTo(4);
    }

    @Test
    void resubscribing_replacesTheGrantedQos() {
        TestClient c = broker.connected("c");
        c.subscribe(sub("a/b", 0));
        c.subscribe(sub("a/b", 2));
        TestClient pub = broker.connected("pub");

        pub.publishAndRelease("a/b", QoS.EXACTLY_ONCE, "x");

        List<Publish> got = c.takePublishes();
        assertThat(got).hasSize(1);
        assertThat(got.get(0).qos()).isEqualTo(QoS.EXACTLY_ONCE);
        assertThat(c.onSession(Session::subscriptionCount)).isEqualTo(1);
    }

    @Test
    void resubscribing_canLowerTheGrantedQos() {
        TestClient c = broker.connected("c");
        c.subscribe(sub("a/b", 2));
        c.subscribe(sub("a/b", 0));
        TestClient pub = broker.connected("pub");

        pub.publishAndRelease("a/b", QoS.EXACTLY_ONCE, "x");

        assertThat(c.takePublishes()).extracting(Publish::qos).containsExactly(QoS.AT_MOST_ONCE);
    }

    @Test
    void sysTopics_areNotMatchedByLeadingWildcards() {
        TestClient hash = broker.connected("hash");
        hash.subscribe("#", QoS.AT_MOST_ONCE);
        TestClient plus = broker.connected("plus");
        plus.subscribe("+/x", QoS.AT_MOST_ONCE);
        TestClient sys = broker.connected("sys");
        sys.subscribe("$SYS/#", QoS.AT_MOST_ONCE);
        TestClient exact = broker.connected("exact");
        exact.subscribe("$SYS/x", QoS.AT_MOST_ONCE);

        broker.loop().run(() -> {
            Message m = new Message("$SYS/x", QoS.AT_MOST_ONCE, false, broker.payloads().of("up"), Properties.EMPTY,
                    "", Message.NEVER_EXPIRES);
            broker.core().router().route(m);
            m.release();
            broker.loop().outbox().flushPending();
        });

        hash.expectNothing(); // MQTT-4.7.2-1
        plus.expectNothing();
        assertThat(sys.takePublishes()).extracting(Publish::topic).containsExactly("$SYS/x");
        assertThat(exact.takePublishes()).extracting(Publish::topic).containsExactly("$SYS/x");
    }

    @Test
    void hashSubscription_matchesTheParentLevel() {
        TestClient c = broker.connected("c");
        c.subscribe("a/#", QoS.AT_MOST_ONCE);
        TestClient pub = broker.connected("pub");

        pub.publish("a", QoS.AT_MOST_ONCE, "parent");
        pub.publish("a/b/c", QoS.AT_MOST_ONCE, "child");
        pub.publish("ab", QoS.AT_MOST_ONCE, "other");

        assertThat(c.takePublishes()).extracting(SubscribeHandlerTest::text).containsExactly("parent", "child");
    }

    @Test
    void unsubscribe_stopsDeliveryAndIsAcknowledgedWithoutCodesOn311() {
        TestClient c = broker.connected("c");
        c.subscribe(sub("a/b", 1), sub("c/d", 1));

        c.send(new Unsubscribe(9, List.of("a/b", "never/subscribed"), Properties.EMPTY));

        assertThat(c.take()).containsExactly(new UnsubAck(9, List.of(), Properties.EMPTY));
        TestClient pub = broker.connected("pub");
        pub.publish("a/b", QoS.AT_LEAST_ONCE, "gone");
        pub.publish("c/d", QoS.AT_LEAST_ONCE, "kept");
        assertThat(c.takePublishes()).extracting(SubscribeHandlerTest::text).containsExactly("kept");
        assertThat(c.onSession(Session::subscriptionCount)).isEqualTo(1);
    }

    @Test
    void unsubscribe_namesTheFilterNotTheTopicsItMatches() {
        TestClient c = broker.connected("c");
        c.subscribe(sub("a/+", 0));

        c.send(new Unsubscribe(2, List.of("a/b"), Properties.EMPTY)); // MQTT-3.10.4-1
        c.take();

        TestClient pub = broker.connected("pub");
        pub.publish("a/b", QoS.AT_MOST_ONCE, "still");
        assertThat(c.takePublishes()).hasSize(1);
    }

    @Test
    void subscriptionsOfACleanSession_goAwayWithTheConnection() {
        TestClient c = broker.connected("c");
        c.subscribe(sub("a/b", 1));

        c.dropConnection();

        assertThat(broker.core().subscriptions().size()).isZero();
        assertThat(broker.core().sessions().size()).isZero();
    }

    @Test
    void filtersPastMaxSubscribeFilters_areRefusedWhileTheEarlierOnesApply() {
        try (TestBroker small = TestBroker.start(BrokerSettings.defaults().toBuilder().maxSubscribeFilters(2).build())) {
            TestClient c = small.connected("c");

            SubAck ack = c.subscribe(sub("a", 1), sub("b", 1), sub("c", 1), sub("d", 0));

            assertThat(ack.reasonCodes()).containsExactly(1, 1, ReasonCode.V3_SUBSCRIPTION_FAILURE,
                    ReasonCode.V3_SUBSCRIPTION_FAILURE);
            assertThat(c.onSession(Session::subscriptionFilters)).containsExactlyInAnyOrder("a", "b");
            assertThat(small.core().drops().subscribeFiltersRefused.sum()).isEqualTo(2);
        }
    }

    @Test
    void maxSubscribeFilters_defaultsToAThousand() {
        TestClient c = broker.connected("c");
        Subscription[] many = new Subscription[1001];
        for (int i = 0; i < many.length; i++) {
            many[i] = sub("f/" + i, 0);
        }

        SubAck ack = c.subscribe(many);

        assertThat(ack.reasonCodes()).hasSize(1001);
        assertThat(ack.reasonCodes().subList(0, 1000)).containsOnly(0);
        assertThat(ack.reasonCodes().get(1000)).isEqualTo(ReasonCode.V3_SUBSCRIPTION_FAILURE);
    }

    @Test
    void wideFiltersOverManyRetainedMessages_stopEachWalkOnceTheQueueIsFull() {
        try (TestBroker small = TestBroker.start(BrokerSettings.defaults().toBuilder().maxQueuedMessages(10).build())) {
            TestClient pub = small.connected("pub");
            for (int i = 0; i < 1_000; i++) {
                pub.publish("r/" + i, QoS.AT_LEAST_ONCE, true, "x");
            }
            TestClient c = small.connected("c");
            Subscription[] wide = new Subscription[50];
            for (int i = 0; i < wide.length; i++) {
                wide[i] = sub(i % 2 == 0 ? "r/#" : "+/+", 1);
            }

            c.subscribe(wide);

            assertThat(c.takePublishes()).hasSize(20); // the inflight window; 10 more wait in the queue
            // Before: each of the 50 walks went through all 1,000 messages, dropping ~49,970.
            assertThat(small.core().drops().queueFull.sum()).isLessThanOrEqualTo(wide.length);
        }
    }
}
