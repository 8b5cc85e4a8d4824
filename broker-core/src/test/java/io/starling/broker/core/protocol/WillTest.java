package io.starling.broker.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.mqtt.codec.Malformed;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.ReasonCode;
import io.starling.mqtt.codec.Will;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The will message (3.1.1 §3.1.2.5): published when the connection ends without DISCONNECT. */
class WillTest {
    private final TestBroker broker = TestBroker.start();
    private TestClient watcher;

    @BeforeEach
    void watchWills() {
        watcher = broker.connected("watcher");
        watcher.subscribe("will/#", QoS.EXACTLY_ONCE);
    }

    @AfterEach
    void tearDown() {
        broker.close();
    }

    private static Will will(String topic, String payload, QoS qos, boolean retain) {
        return new Will(topic, payload.getBytes(StandardCharsets.UTF_8), qos, retain, Properties.EMPTY);
    }

    private TestClient connectedWithWill(Will will) {
        TestClient c = broker.newClient();
        c.connect(TestClient.connectPacket("c", true, will));
        return c;
    }

    private static String text(Publish p) {
        return p.payload().toString(StandardCharsets.UTF_8);
    }

    @Test
    void will_isPublishedWhenTheConnectionIsLost() {
        TestClient c = connectedWithWill(will("will/c", "gone", QoS.AT_LEAST_ONCE, false));

        c.dropConnection();

        List<Publish> got = watcher.takePublishes();
        assertThat(got).hasSize(1);
        Publish p = got.get(0);
        assertThat(p.topic()).isEqualTo("will/c");
        assertThat(text(p)).isEqualTo("gone");
        assertThat(p.qos()).isEqualTo(QoS.AT_LEAST_ONCE);
        assertThat(p.retain()).isFalse();
        assertThat(watcher.connection().unflushedCount()).as("the will is flushed").isZero();
        watcher.ack(p);
    }

    @Test
    void will_isPublishedOnKeepAliveTimeout() {
        TestClient c = connectedWithWill(will("will/c", "timeout", QoS.AT_MOST_ONCE, false));

        c.loop().run(() -> c.client().onKeepAliveTimeout());
        c.loop().drain();

        assertThat(c.isClosed()).isTrue();
        assertThat(watcher.takePublishes()).extracting(WillTest::text).containsExactly("timeout");
    }

    @Test
    void keepAliveTimeoutAfterTheConnectionWasLost_publishesNothingMore() {
        TestClient c = connectedWithWill(will("will/c", "once", QoS.AT_MOST_ONCE, false));
        c.dropConnection();

        c.loop().run(() -> c.client().onKeepAliveTimeout());
        c.loop().drain();

        assertThat(watcher.takePublishes()).extracting(WillTest::text).containsExactly("once");
    }

    @Test
    void will_isPublishedOnAProtocolError() {
        TestClient c = connectedWithWill(will("will/c", "violation", QoS.AT_MOST_ONCE, false));

        c.publish("bad/#", QoS.AT_MOST_ONCE, "x");

        assertThat(c.isClosed()).isTrue();
        assertThat(watcher.takePublishes()).extracting(WillTest::text).containsExactly("violation");
    }

    @Test
    void will_isPublishedAfterAMalformedPacket() {
        TestClient c = connectedWithWill(will("will/c", "garbled", QoS.AT_MOST_ONCE, false));

        c.loop().run(() -> {
            c.client().onMalformed(new Malformed(ReasonCode.MALFORMED_PACKET, "bad remaining length", null));
            c.client().onReadComplete();
        });
        c.loop().drain();

        assertThat(c.isClosed()).isTrue();
        assertThat(broker.core().drops().malformedPackets.sum()).isOne();
        assertThat(watcher.takePublishes()).extracting(WillTest::text).containsExactly("garbled");
    }

    @Test
    void will_isNotPublishedAfterDisconnect() {
        TestClient c = connectedWithWill(will("will/c", "unwanted", QoS.AT_MOST_ONCE, false));

        c.disconnect(); // MQTT-3.14.4-3

        assertThat(c.isClosed()).isTrue();
        watcher.expectNothing();
    }

    @Test
    void will_isPublishedOnlyOnce() {
        TestClient c = connectedWithWill(will("will/c", "once", QoS.AT_MOST_ONCE, false));

        c.publish("bad/+", QoS.AT_MOST_ONCE, "x");
        c.loop().run(() -> c.client().onConnectionLost()); // a second report of the same loss
        c.loop().drain();

        assertThat(watcher.takePublishes()).hasSize(1);
    }

    @Test
    void retainedWill_isStoredAsTheRetainedMessage() {
        TestClient c = connectedWithWill(will("will/c", "last words", QoS.AT_LEAST_ONCE, true));

        c.dropConnection();

        assertThat(watcher.takePublishes()).extracting(Publish::retain).containsExactly(false);
        assertThat(broker.core().retained().size()).isEqualTo(1);
        TestClient late = broker.connected("late");
        late.subscribe("will/c", QoS.AT_LEAST_ONCE);
        List<Publish> got = late.takePublishes();
        assertThat(got).extracting(WillTest::text).containsExactly("last words");
        assertThat(got.get(0).retain()).isTrue();
    }

    @Test
    void connectWithAnInvalidWillTopic_isClosedWithoutConnAck() {
        TestClient c = broker.newClient();

        c.send(TestClient.connectPacket("c", true, will("will/+", "x", QoS.AT_MOST_ONCE, false)));

        assertThat(c.isClosed()).isTrue();
        c.expectNothing();
        assertThat(broker.core().sessions().get("c")).isNull();
        watcher.expectNothing();
    }

    @Test
    void refusedConnect_neverPublishesItsWill() {
        TestClient c = broker.newClient();

        c.send(TestClient.connectPacket("", false, will("will/c", "x", QoS.AT_MOST_ONCE, false)));

        assertThat(c.isClosed()).isTrue();
        watcher.expectNothing();
    }
}
