package io.starling.broker.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.session.Session;
import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.SubAck;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Retained messages (3.1.1 §3.3.1.3). */
class RetainedMessagesTest {
    private final TestBroker broker = TestBroker.start();

    @AfterEach
    void tearDown() {
        broker.close();
    }

    private static String text(Publish p) {
        return p.payload().toString(StandardCharsets.UTF_8);
    }

    @Test
    void retainedMessage_isStoredAndSentToLaterSubscribersWithRetainSet() {
        TestClient pub = broker.connected("pub");
        pub.publish("a/b", QoS.AT_LEAST_ONCE, true, "kept");
        assertThat(broker.core().retained().size()).isEqualTo(1);

        TestClient sub = broker.connected("sub");
        SubAck ack = sub.subscribe("a/+", QoS.EXACTLY_ONCE);

        List<Publish> got = sub.takePublishes(); // SUBACK was read first: it goes out before retained messages
        assertThat(ack.reasonCodes()).containsExactly(2);
        assertThat(got).hasSize(1);
        Publish p = got.get(0);
        assertThat(p.retain()).isTrue(); // MQTT-3.3.1-8
        assertThat(p.topic()).isEqualTo("a/b");
        assertThat(text(p)).isEqualTo("kept");
        assertThat(p.qos()).isEqualTo(QoS.AT_LEAST_ONCE); // the lower of stored and granted
        sub.ack(p);
    }

    @Test
    void retainedMessage_isSentAtTheGrantedQosWhenLower() {
        TestClient pub = broker.connected("pub");
        pub.publishAndRelease("a/b", QoS.EXACTLY_ONCE, true, "kept");

        TestClient sub = broker.connected("sub");
        sub.subscribe("a/b", QoS.AT_MOST_ONCE);

        assertThat(sub.takePublishes()).extracting(Publish::qos).containsExactly(QoS.AT_MOST_ONCE);
    }

    @Test
    void retainedMessage_goesToExistingSubscribersWithRetainCleared() {
        TestClient sub = broker.connected("sub");
        sub.subscribe("a/b", QoS.AT_MOST_ONCE);
        TestClient pub = broker.connected("pub");

        pub.publish("a/b", QoS.AT_MOST_ONCE, true, "live");

        List<Publish> got = sub.takePublishes();
        assertThat(got).hasSize(1);
        assertThat(got.get(0).retain()).isFalse(); // MQTT-3.3.1-9
    }

    @Test
    void newerRetainedMessage_replacesTheOlder() {
        TestClient pub = broker.connected("pub");
        pub.publish("a/b", QoS.AT_MOST_ONCE, true, "old");
        pub.publish("a/b", QoS.AT_MOST_ONCE, true, "new");

        TestClient sub = broker.connected("sub");
        sub.subscribe("a/b", QoS.AT_MOST_ONCE);

        assertThat(sub.takePublishes()).extracting(RetainedMessagesTest::text).containsExactly("new");
        assertThat(broker.payloads().created().get(0).refCnt()).as("the old message is released").isZero();
    }

    @Test
    void retainedEmptyPayload_deletesTheRetainedMessage() {
        TestClient pub = broker.connected("pub");
        pub.publish("a/b", QoS.AT_MOST_ONCE, true, "kept");

        pub.publish("a/b", QoS.AT_MOST_ONCE, true, ""); // MQTT-3.3.1-10

        assertThat(broker.core().retained().size()).isZero();
        TestClient sub = broker.connected("sub");
        sub.subscribe("a/b", QoS.AT_MOST_ONCE);
        sub.expectNothing();
        broker.payloads().assertAllReleased();
    }

    @Test
    void retainedEmptyPayload_isStillForwardedToExistingSubscribers() {
        TestClient sub = broker.connected("sub");
        sub.subscribe("a/b", QoS.AT_MOST_ONCE);
        TestClient pub = broker.connected("pub");

        pub.publish("a/b", QoS.AT_MOST_ONCE, true, "");

        List<Publish> got = sub.takePublishes();
        assertThat(got).hasSize(1);
        assertThat(got.get(0).payload().readableBytes()).isZero();
    }

    @Test
    void nonRetainedMessage_isNotStored() {
        TestClient pub = broker.connected("pub");
        pub.publish("a/b", QoS.AT_LEAST_ONCE, false, "x");

        assertThat(broker.core().retained().size()).isZero();
        broker.payloads().assertAllReleased();
    }

    @Test
    void resubscribing_sendsTheRetainedMessagesAgainAtTheNewQos() {
        TestClient pub = broker.connected("pub");
        pub.publishAndRelease("a/b", QoS.EXACTLY_ONCE, true, "kept");
        TestClient sub = broker.connected("sub");
        sub.subscribe("a/b", QoS.AT_MOST_ONCE);
        assertThat(sub.takePublishes()).extracting(Publish::qos).containsExactly(QoS.AT_MOST_ONCE);

        sub.subscribe("a/b", QoS.AT_LEAST_ONCE); // MQTT-3.8.4-3

        List<Publish> again = sub.takePublishes();
        assertThat(again).hasSize(1);
        assertThat(again.get(0).qos()).isEqualTo(QoS.AT_LEAST_ONCE);
        assertThat(again.get(0).retain()).isTrue();
        sub.ack(again.get(0));
        assertThat(sub.onSession(Session::subscriptionCount)).isEqualTo(1);
    }

    @Test
    void subscribe_sendsEveryMatchingRetainedMessageOnce() {
        TestClient pub = broker.connected("pub");
        pub.publish("a/1", QoS.AT_MOST_ONCE, true, "1");
        pub.publish("a/2", QoS.AT_MOST_ONCE, true, "2");
        pub.publish("b/1", QoS.AT_MOST_ONCE, true, "other");

        TestClient sub = broker.connected("sub");
        sub.subscribe("a/#", QoS.AT_MOST_ONCE);

        assertThat(sub.takePublishes()).extracting(RetainedMessagesTest::text).containsExactlyInAnyOrder("1", "2");
    }

    @Test
    void retainedSysTopic_isNotSentToALeadingWildcardSubscription() {
        TestClient pub = broker.connected("pub");
        pub.publish("$SYS/x", QoS.AT_MOST_ONCE, true, "sys");
        pub.publish("x", QoS.AT_MOST_ONCE, true, "plain");

        TestClient sub = broker.connected("sub");
        sub.subscribe("#", QoS.AT_MOST_ONCE);

        assertThat(sub.takePublishes()).extracting(Publish::topic).containsExactly("x");
    }

    @Test
    void retainedMessage_isReleasedWhenTheStoreCloses() {
        TestClient pub = broker.connected("pub");
        pub.publish("a/b", QoS.AT_MOST_ONCE, true, "kept");

        assertThat(broker.payloads().created().get(0).refCnt()).isEqualTo(1);
        // TestBroker.close() closes the store and checks the payload is released.
    }
}
