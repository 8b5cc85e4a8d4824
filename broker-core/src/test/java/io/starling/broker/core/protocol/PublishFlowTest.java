package io.starling.broker.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.session.Session;
import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.mqtt.codec.Packet;
import io.starling.mqtt.codec.PubAck;
import io.starling.mqtt.codec.PubComp;
import io.starling.mqtt.codec.PubRec;
import io.starling.mqtt.codec.PubRel;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** PUBLISH between clients and its acknowledgements in both directions (3.1.1 §3.3–3.7, §4.3). */
class PublishFlowTest {
    private final TestBroker broker = TestBroker.start();

    @AfterEach
    void tearDown() {
        broker.close();
    }

    private static String text(Publish p) {
        return p.payload().toString(StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "published at QoS {0}, subscribed at QoS {1}: delivered at QoS {2}")
    @CsvSource({"0,0,0", "0,1,0", "0,2,0", "1,0,0", "1,1,1", "1,2,1", "2,0,0", "2,1,1", "2,2,2"})
    void delivery_isAtTheLowerOfPublishedAndGrantedQos(int published, int granted, int expected) {
        TestClient sub = broker.connected("sub");
        sub.subscribe("a/b", QoS.of(granted));
        TestClient pub = broker.connected("pub");

        pub.publishAndRelease("a/b", QoS.of(published), "hello");

        List<Publish> got = sub.takePublishes();
        assertThat(got).hasSize(1);
        Publish p = got.get(0);
        assertThat(p.qos()).isEqualTo(QoS.of(expected));
        assertThat(p.topic()).isEqualTo("a/b");
        assertThat(text(p)).isEqualTo("hello");
        assertThat(p.dup()).isFalse();
        assertThat(p.retain()).isFalse();
        if (expected == 0) {
            assertThat(p.packetId()).isZero();
        } else {
            assertThat(p.packetId()).isPositive();
        }
        assertThat(sub.connection().unflushedCount()).isZero();
        sub.ack(p);
    }

    @Test
    void publishQos0_isNotAcknowledged() {
        TestClient pub = broker.connected("pub");

        pub.publish("a/b", QoS.AT_MOST_ONCE, "x");

        pub.expectNothing();
    }

    @Test
    void publishQos1WithoutSubscribers_isAcknowledgedWithPubAck() {
        TestClient pub = broker.connected("pub");

        int id = pub.publish("a/b", QoS.AT_LEAST_ONCE, "x");

        assertThat(pub.take()).containsExactly(new PubAck(id));
        broker.payloads().assertAllReleased();
    }

    @Test
    void publishQos2_isAnsweredWithPubRecAndPubRelWithPubComp() {
        TestClient pub = broker.connected("pub");

        int id = pub.publish("a/b", QoS.EXACTLY_ONCE, "x");
        assertThat(pub.take()).containsExactly(new PubRec(id));
        pub.send(new PubRel(id));

        assertThat(pub.take()).containsExactly(new PubComp(id));
        assertThat(pub.onSession(Session::incomingQos2Count)).isZero();
    }

    @Test
    void incomingQos2_isHeldUntilPubRel_andRoutedThenBeforePubComp() {
        TestClient sub = broker.connected("sub");
        sub.subscribe("a/b", QoS.AT_MOST_ONCE);
        TestClient pub = broker.connected("pub");

        int id = pub.publish("a/b", QoS.EXACTLY_ONCE, "x");

        assertThat(pub.take()).containsExactly(new PubRec(id));
        assertThat(sub.takePublishes()).as("passed on at PUBREL (method B, as mosquitto)").isEmpty();
        assertThat(pub.onSession(Session::incomingQos2Count)).isOne();
        pub.send(new PubRel(id));
        assertThat(sub.takePublishes()).extracting(PublishFlowTest::text).containsExactly("x");
        assertThat(pub.take()).containsExactly(new PubComp(id));
        assertThat(pub.onSession(Session::incomingQos2Count)).isZero();
        broker.payloads().assertAllReleased();
    }

    @Test
    void incomingQos2ResentWithOtherContentBeforePubRel_replacesTheHeldMessage() {
        TestClient sub = broker.connected("sub");
        sub.subscribe("a/#", QoS.AT_MOST_ONCE);
        TestClient pub = broker.connected("pub");

        pub.send(pub.publishPacket("a/b", QoS.EXACTLY_ONCE, false, 7, "first"));
        pub.send(pub.publishPacket("a/c", QoS.EXACTLY_ONCE, false, 7, "second"));
        pub.send(new PubRel(7));

        assertThat(pub.take()).containsExactly(new PubRec(7), new PubRec(7), new PubComp(7));
        assertThat(sub.takePublishes()).extracting(PublishFlowTest::text).containsExactly("second");
        broker.payloads().assertAllReleased();
    }

    @Test
    void qos1PublishReusingTheIdOfAHeldQos2Message_dropsTheHeldOne() {
        TestClient sub = broker.connected("sub");
        sub.subscribe("a/b", QoS.AT_MOST_ONCE);
        TestClient pub = broker.connected("pub");

        pub.send(pub.publishPacket("a/b", QoS.EXACTLY_ONCE, false, 7, "held"));
        pub.send(pub.publishPacket("a/b", QoS.AT_LEAST_ONCE, false, 7, "qos 1"));
        pub.send(new PubRel(7));

        assertThat(pub.take()).containsExactly(new PubRec(7), new PubAck(7), new PubComp(7));
        assertThat(sub.takePublishes()).extracting(PublishFlowTest::text).containsExactly("qos 1");
        broker.payloads().assertAllReleased();
    }

    @Test
    void retainedQos2Message_isRetainedAtPubRel() {
        TestClient pub = broker.connected("pub");

        int id = pub.publish("a/b", QoS.EXACTLY_ONCE, true, "kept");
        assertThat(broker.core().retained().size()).as("before PUBREL").isZero();
        pub.send(new PubRel(id));

        assertThat(broker.core().retained().size()).isOne();
    }

    @Test
    void resentQos2PublishBeforePubRel_isAcknowledgedButNotRoutedAgain() {
        TestClient sub = broker.connected("sub");
        sub.subscribe("a/b", QoS.AT_MOST_ONCE);
        TestClient pub = broker.connected("pub");

        pub.send(pub.publishPacket("a/b", QoS.EXACTLY_ONCE, false, 7, "once"));
        Publish resend = pub.publishPacket("a/b", QoS.EXACTLY_ONCE, false, 7, "once");
        pub.send(new Publish(true, resend.qos(), false, resend.topic(), 7, resend.properties(), resend.payload()));

        assertThat(pub.take()).containsExactly(new PubRec(7), new PubRec(7));
        assertThat(sub.takePublishes()).isEmpty();
        pub.send(new PubRel(7));
        assertThat(pub.take()).containsExactly(new PubComp(7));
        assertThat(sub.takePublishes()).hasSize(1); // MQTT-4.3.3-2
        broker.payloads().assertAllReleased();
    }

    @Test
    void qos2PacketIdReusedAfterPubRel_isANewMessage() {
        TestClient sub = broker.connected("sub");
        sub.subscribe("a/b", QoS.AT_MOST_ONCE);
        TestClient pub = broker.connected("pub");

        pub.send(pub.publishPacket("a/b", QoS.EXACTLY_ONCE, false, 7, "first"), new PubRel(7));
        pub.send(pub.publishPacket("a/b", QoS.EXACTLY_ONCE, false, 7, "second"), new PubRel(7));

        assertThat(sub.takePublishes()).extracting(PublishFlowTest::text).containsExactly("first", "second");
    }

    @Test
    void pubRelForUnknownPacketId_isStillAnsweredWithPubComp() {
        TestClient pub = broker.connected("pub");

        pub.send(new PubRel(42));

        assertThat(pub.take()).containsExactly(new PubComp(42));
        assertThat(pub.isClosed()).isFalse();
    }

    @Test
    void outgoingQos1_isFreedByPubAck() {
        TestClient sub = broker.connected("sub");
        sub.subscribe("a/b", QoS.AT_LEAST_ONCE);
        TestClient pub = broker.connected("pub");

        pub.publish("a/b", QoS.AT_LEAST_ONCE, "x");
        Publish p = sub.takePublishes().get(0);
        assertThat(sub.onSession(Session::inflightCount)).isEqualTo(1);
        sub.ack(p);

        assertThat(sub.onSession(Session::inflightCount)).isZero();
        sub.expectNothing();
        broker.payloads().assertAllReleased();
    }

    @Test
    void outgoingQos2_goesThroughPubRecPubRelPubComp() {
        TestClient sub = broker.connected("sub");
        sub.subscribe("a/b", QoS.EXACTLY_ONCE);
        TestClient pub = broker.connected("pub");

        pub.publishAndRelease("a/b", QoS.EXACTLY_ONCE, "x");
        Publish p = sub.takePublishes().get(0);
        assertThat(p.qos()).isEqualTo(QoS.EXACTLY_ONCE);

        sub.send(new PubRec(p.packetId()));
        assertThat(sub.take()).containsExactly(new PubRel(p.packetId()));
        assertThat(sub.onSession(Session::inflightCount)).isEqualTo(1); // the id is held until PUBCOMP
        broker.payloads().assertAllReleased(); // after PUBREC only the id is kept, not the message

        sub.send(new PubComp(p.packetId()));
        assertThat(sub.onSession(Session::inflightCount)).isZero();
        sub.expectNothing();
    }

    @Test
    void repeatedPubRec_isAnsweredWithPubRelAgain() {
        TestClient sub = broker.connected("sub");
        sub.subscribe("a/b", QoS.EXACTLY_ONCE);
        TestClient pub = broker.connected("pub");
        pub.publishAndRelease("a/b", QoS.EXACTLY_ONCE, "x");
        int id = sub.takePublishes().get(0).packetId();

        sub.send(new PubRec(id));
        sub.send(new PubRec(id));

        assertThat(sub.take()).containsExactly(new PubRel(id), new PubRel(id));
    }

    @Test
    void acksForUnknownPacketIds_areIgnoredExceptPubRec_whichGetsPubRel() {
        TestClient sub = broker.connected("sub");

        sub.send(new PubAck(5), new PubRec(6), new PubComp(7));

        assertThat(sub.take()).containsExactly(new PubRel(6)); // as mosquitto 2.0.11
        assertThat(sub.isClosed()).isFalse();
    }

    @ParameterizedTest(name = "{1} for a QoS {0} message")
    @CsvSource({"2, PUBCOMP", "2, PUBACK", "1, PUBREC", "1, PUBCOMP"})
    void ackOfTheWrongKind_closesTheConnectionWithNothingSent(int qos, String ack) {
        TestClient sub = broker.connected("sub");
        sub.subscribe("a/b", QoS.EXACTLY_ONCE);
        TestClient pub = broker.connected("pub");
        pub.publishAndRelease("a/b", QoS.of(qos), "x");
        int id = sub.takePublishes().get(0).packetId();

        sub.send(ack.equals("PUBCOMP") ? new PubComp(id) : ack.equals("PUBACK") ? new PubAck(id) : new PubRec(id));

        assertThat(sub.take()).isEmpty(); // a protocol error, closed silently as by mosquitto 2.0.11
        assertThat(sub.isClosed()).isTrue();
    }

    @Test
    void messagesFromOnePublisher_arriveInOrder() {
        TestClient sub = broker.connected("sub");
        sub.subscribe("a/#", QoS.EXACTLY_ONCE);
        TestClient pub = broker.connected("pub");

        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            QoS qos = QoS.of(i % 3);
            String body = "m" + i;
            pub.publishAndRelease("a/" + (i % 4), qos, body);
            sent.add(body);
        }

        List<Publish> got = sub.takePublishes();
        assertThat(got).extracting(PublishFlowTest::text).containsExactlyElementsOf(sent);
        got.forEach(sub::ack);
        sub.take().stream().filter(p -> p instanceof PubRel).forEach(p -> sub.send(new PubComp(((PubRel) p).packetId())));
        assertThat(sub.onSession(Session::inflightCount)).isZero();
    }

    @Test
    void publisherSubscribedToItsOwnTopic_receivesItsMessage() {
        TestClient c = broker.connected("c");
        c.subscribe("a/b", QoS.AT_LEAST_ONCE);

        int id = c.publish("a/b", QoS.AT_LEAST_ONCE, "echo");

        List<Packet> got = c.take();
        assertThat(got).hasSize(2);
        assertThat(got).contains(new PubAck(id));
        assertThat(got).anyMatch(p -> p instanceof Publish pp && text(pp).equals("echo"));
    }

    @Test
    void publishToATopicWithWildcards_closesTheConnection() {
        TestClient pub = broker.connected("pub");

        pub.publish("a/+", QoS.AT_LEAST_ONCE, "x"); // MQTT-3.3.2-2

        assertThat(pub.isClosed()).isTrue();
        pub.expectNothing();
        broker.payloads().assertAllReleased();
    }

    @Test
    void publishToAnEmptyTopic_closesTheConnection() {
        TestClient pub = broker.connected("pub");

        pub.publish("", QoS.AT_MOST_ONCE, "x");

        assertThat(pub.isClosed()).isTrue();
    }

    @Test
    void subscriberThatIsNotWritable_dropsQos0_andKeepsQos1InItsQueueUntilItIsWritable() {
        TestClient sub = broker.connected("sub");
        sub.subscribe("a/b", QoS.AT_LEAST_ONCE);
        TestClient pub = broker.connected("pub");
        sub.connection().setWritable(false);

        pub.publish("a/b", QoS.AT_MOST_ONCE, "dropped");
        pub.publish("a/b", QoS.AT_LEAST_ONCE, "kept");
        assertThat(sub.takePublishes()).as("nothing more in a connection that is not reading").isEmpty();

        sub.connection().setWritable(true);
        broker.loop().run(() -> sub.client().onWritable());
        assertThat(sub.takePublishes()).extracting(PublishFlowTest::text).containsExactly("kept");
        assertThat(broker.core().drops().notWritable.sum()).isEqualTo(1);
    }

    @Test
    void everyPayload_isReleasedOnceAllSubscribersAcknowledged() {
        List<TestClient> subs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            TestClient s = broker.connected("sub" + i);
            s.subscribe("a/b", QoS.of(i));
            subs.add(s);
        }
        TestClient pub = broker.connected("pub");

        pub.publishAndRelease("a/b", QoS.EXACTLY_ONCE, "shared");
        assertThat(broker.payloads().created().get(0).refCnt()).isEqualTo(2); // sub1's and sub2's inflight entries
        for (TestClient s : subs) {
            s.takePublishes().forEach(s::ack);
        }

        broker.payloads().assertAllReleased();
    }
}
