package io.starling.broker.core.protocol.v5;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.concurrent.Future;
import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.broker.core.testing.TestLoops.InLoop;
import io.starling.mqtt.codec.Packet;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.UnsubAck;
import io.starling.mqtt.codec.Unsubscribe;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A message matched on the publisher's loop just before the subscriber's UNSUBSCRIBE, which reaches the
 * subscriber's loop after it (issue 15): mosquitto's single thread would have sent it before the
 * UNSUBACK, so after the UNSUBACK it is not sent at all. A 5.0 client gets one copy per matching
 * subscription, and each copy is checked against its own subscription.
 */
class UnsubscribeInFlightTest {
    private final TestBroker broker = TestBroker.start();

    @AfterEach
    void tearDown() {
        broker.close();
        broker.payloads().assertAllReleased();
    }

    @Test
    void copyOfAnUnsubscribedFilter_isNotSentAfterTheUnsuback_whileTheCopyOfAnotherStillMatchingFilterIs() throws Exception {
        TestClient sub = Mqtt5.connected(broker, "sub");
        Mqtt5.subscribe(sub, 1, Mqtt5.subscription("a/#", QoS.AT_MOST_ONCE, false, false, 0));
        Mqtt5.subscribe(sub, 2, Mqtt5.subscription("a/+", QoS.AT_MOST_ONCE, false, false, 0));
        InLoop other = broker.newLoop();
        TestClient pub = broker.newClient(other);
        pub.connect(Mqtt5.connect("pub", true, Properties.EMPTY));

        // The subscriber's loop is held, with its UNSUBSCRIBE first in line, while the message is
        // matched on the publisher's loop: the two copies reach the subscriber's loop after it.
        CountDownLatch matched = new CountDownLatch(1);
        Future<?> unsubscribed = sub.loop().executor().submit(() -> {
            matched.await(5, TimeUnit.SECONDS);
            sub.client().onPacket(new Unsubscribe(3, List.of("a/#"), Properties.EMPTY));
            sub.client().onReadComplete();
            return null;
        });
        pub.publish("a/b", QoS.AT_MOST_ONCE, "in flight");
        matched.countDown();
        unsubscribed.get(5, TimeUnit.SECONDS);
        broker.drain();

        List<Packet> got = sub.take();
        assertThat(got).hasSize(2);
        assertThat(got.get(0)).isInstanceOf(UnsubAck.class);
        Publish copy = (Publish) got.get(1);
        assertThat(copy.properties().numbers(PropertyId.SUBSCRIPTION_IDENTIFIER))
                .as("only the copy of a/+, which is still subscribed").containsExactly(2L);
        assertThat(broker.core().drops().unsubscribed.sum()).isEqualTo(1);
    }
}
