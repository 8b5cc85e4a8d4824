package io.starling.broker.server.mqtt5;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.ReasonCode;
import io.starling.mqtt.codec.SubAck;
import io.starling.mqtt.codec.Subscribe;
import io.starling.mqtt.codec.Subscription;
import io.starling.mqtt.codec.SubscriptionOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Shared subscriptions (MQTT 5 §4.8.2): {@code $share/{name}/{filter}} gives each message to one
 * member of the group; no retained messages on subscribing; the unacknowledged messages of a member
 * whose session ends go to another member; malformed share names are refused in SUBACK.
 */
class SharedSubscriptionTest {
    @RegisterExtension
    static final BrokerUnderTest broker = new BrokerUnderTest();

    private static Mqtt5BlockingClient publisher;

    @BeforeAll
    static void connectPublisher() {
        publisher = HiveMq5.connected(broker, "share-publisher");
    }

    @AfterAll
    static void disconnectPublisher() {
        HiveMq5.disconnectQuietly(publisher);
    }

    @Test
    void messagesToAShareGroup_areSplitBetweenItsMembersWithoutDuplicates() throws Exception {
        try (Paho5Client a = Paho5Client.connected(broker, "share-split-a");
             Paho5Client b = Paho5Client.connected(broker, "share-split-b")) {
            assertThat(a.subscribe("$share/g/share/split", 1)).isEqualTo(1);
            assertThat(b.subscribe("$share/g/share/split", 1)).isEqualTo(1);

            for (int i = 0; i < 10; i++) {
                HiveMq5.publish(publisher, "share/split", "m" + i, MqttQos.AT_LEAST_ONCE);
            }

            List<String> toA = drain(a);
            List<String> toB = drain(b);
            assertThat(toA).as("member a").isNotEmpty();
            assertThat(toB).as("member b").isNotEmpty();
            List<String> all = new ArrayList<>(toA);
            all.addAll(toB);
            assertThat(all).hasSize(10).doesNotHaveDuplicates();
        }
    }

    @Test
    void sharedSubscribe_receivesNoRetainedMessages() throws Exception {
        publisher.publishWith().topic("share/retained").qos(MqttQos.AT_LEAST_ONCE).retain(true)
                .payload("stored".getBytes(StandardCharsets.UTF_8)).send();
        try (Paho5Client member = Paho5Client.connected(broker, "share-retained")) {
            member.subscribe("$share/g/share/retained", 1);
            HiveMq5.publish(publisher, "share/retained", "live", MqttQos.AT_LEAST_ONCE);

            Paho5Client.Received r = member.receive();
            assertThat(r.payload()).isEqualTo("live");
            assertThat(r.message().isRetained()).isFalse();
        } finally {
            publisher.publishWith().topic("share/retained").qos(MqttQos.AT_LEAST_ONCE).retain(true).send();
        }
    }

    @Test
    void unacknowledgedMessagesOfALeavingMember_goToTheRemainingMember() throws Exception {
        try (Paho5Client leaving = new Paho5Client(broker.uri(), "share-leaving");
             Paho5Client staying = Paho5Client.connected(broker, "share-staying")) {
            leaving.setManualAcks(true);
            leaving.connect(Paho5Client.options(true, 0));
            leaving.subscribe("$share/g/share/handover", 1);
            staying.subscribe("$share/g/share/handover", 1);

            for (int i = 0; i < 6; i++) {
                HiveMq5.publish(publisher, "share/handover", "m" + i, MqttQos.AT_LEAST_ONCE);
            }
            List<String> unacked = drain(leaving); // received, never acknowledged
            assertThat(unacked).as("the leaving member got its share").isNotEmpty();
            leaving.disconnect(); // Clean Start, expiry 0: the session ends here

            List<String> got = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                got.add(staying.receive().payload());
            }
            assertThat(got).containsExactlyInAnyOrder("m0", "m1", "m2", "m3", "m4", "m5");
            assertThat(got).containsAll(unacked);
            assertThat(staying.poll(Duration.ofMillis(200))).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"$share//share/t", "$share/g", "$share/g/", "$share/g+/share/t", "$share/g#/share/t",
            "$share/g/share/#/x"})
    void anInvalidSharedFilter_makesTheSubscribeMalformed(String filter) {
        try (RawMqttClient raw = Raw5.connected(broker.port(), "share-invalid")) {
            raw.send(new Subscribe(1, List.of(new Subscription("$share/g/share/t", SubscriptionOptions.of(QoS.AT_LEAST_ONCE)),
                    new Subscription(filter, SubscriptionOptions.of(QoS.AT_LEAST_ONCE))), Properties.EMPTY));

            Raw5.expectDisconnect(raw, ReasonCode.MALFORMED_PACKET); // no SUBACK 0x8F: mosquitto 2.0.11's answer
        }
    }

    @Test
    void noLocalOnASharedSubscription_isAProtocolError() {
        try (RawMqttClient raw = Raw5.connected(broker.port(), "share-nolocal")) {
            raw.send(new Subscribe(1, List.of(new Subscription("$share/g/share/nolocal",
                    new SubscriptionOptions(QoS.AT_LEAST_ONCE, true, false, 0))), Properties.EMPTY));

            Raw5.expectDisconnect(raw, ReasonCode.PROTOCOL_ERROR); // MQTT-3.8.3-4
        }
    }

    @Test
    void memberWithAlsoANonSharedSubscription_receivesACopyForEach() throws Exception {
        try (Paho5Client client = Paho5Client.connected(broker, "share-both")) {
            client.subscribe("$share/solo/share/both", 1);
            client.subscribe("share/both", 1);

            HiveMq5.publish(publisher, "share/both", "twice", MqttQos.AT_LEAST_ONCE);

            assertThat(client.receive(2)).extracting(Paho5Client.Received::payload).containsExactly("twice", "twice");
            assertThat(client.poll(Duration.ofMillis(200))).isEmpty();
        }
    }

    @Test
    void differentShareGroups_eachGetEveryMessage() throws Exception {
        try (Paho5Client one = Paho5Client.connected(broker, "share-group-one");
             Paho5Client two = Paho5Client.connected(broker, "share-group-two")) {
            one.subscribe("$share/one/share/groups", 1);
            two.subscribe("$share/two/share/groups", 1);

            for (int i = 0; i < 3; i++) {
                HiveMq5.publish(publisher, "share/groups", "m" + i, MqttQos.AT_LEAST_ONCE);
            }

            assertThat(one.receive(3)).extracting(Paho5Client.Received::payload).containsExactly("m0", "m1", "m2");
            assertThat(two.receive(3)).extracting(Paho5Client.Received::payload).containsExactly("m0", "m1", "m2");
        }
    }

    @Test
    void messageThroughASharedSubscription_carriesTheMembersSubscriptionIdentifier() throws Exception {
        try (Paho5Client member = Paho5Client.connected(broker, "share-id")) {
            MqttProperties id = new MqttProperties();
            id.setSubscriptionIdentifier(9);
            member.subscribe(id, new MqttSubscription("$share/g/share/id", 1));

            HiveMq5.publish(publisher, "share/id", "tagged", MqttQos.AT_LEAST_ONCE);

            assertThat(member.receive().properties().getSubscriptionIdentifiers()).containsExactly(9);
        }
    }

    @Test
    void messagesToAShareGroup_goToTheOnlineMember_whileAnotherIsOffline() throws Exception {
        try (Paho5Client offline = new Paho5Client(broker.uri(), "share-offline");
             Paho5Client online = Paho5Client.connected(broker, "share-online")) {
            offline.connect(Paho5Client.options(true, 60));
            offline.subscribe("$share/g/share/offline", 1);
            online.subscribe("$share/g/share/offline", 1);
            offline.disconnect(); // its session and membership stay

            for (int i = 0; i < 4; i++) {
                HiveMq5.publish(publisher, "share/offline", "m" + i, MqttQos.AT_LEAST_ONCE);
            }

            assertThat(online.receive(4)).extracting(Paho5Client.Received::payload)
                    .containsExactly("m0", "m1", "m2", "m3");
        } finally {
            try (RawMqttClient raw = Raw5.connected(broker.port(), "share-offline")) {
                raw.disconnect(); // Clean Start, expiry 0: ends the session
            }
        }
    }

    @Test
    void queuedMessagesOfAnOfflineMember_goToAnotherMember_whenItComesBackWithCleanStart() throws Exception {
        for (String member : List.of("share-clean-1", "share-clean-2")) {
            try (RawMqttClient sub = RawMqttClient.open(broker.port())) {
                sub.connect(member, false, 60);
                sub.subscribe(1, "$share/g/share/clean", QoS.AT_LEAST_ONCE);
                sub.disconnect(); // both offline: the messages are queued for one member or the other
            }
        }
        for (int i = 1; i <= 4; i++) {
            HiveMq5.publish(publisher, "share/clean", "m" + i, MqttQos.AT_LEAST_ONCE);
        }
        try (RawMqttClient leaving = RawMqttClient.open(broker.port())) {
            assertThat(leaving.connect("share-clean-1", true, 60).sessionPresent()).isFalse(); // its session ends
            leaving.disconnect();
        }
        List<String> got = new ArrayList<>();
        try (RawMqttClient staying = RawMqttClient.open(broker.port())) {
            assertThat(staying.connect("share-clean-2", false, 60).sessionPresent()).isTrue();
            Optional<io.starling.mqtt.codec.Packet> next;
            while ((next = staying.poll(Duration.ofMillis(500))).isPresent()) {
                io.starling.mqtt.codec.Publish p = (io.starling.mqtt.codec.Publish) next.get();
                got.add(RawMqttClient.payloadOf(p));
                staying.send(new io.starling.mqtt.codec.PubAck(p.packetId()));
                p.release();
            }
            staying.disconnect();
        }
        try (RawMqttClient end = RawMqttClient.open(broker.port())) {
            end.connect("share-clean-2", true, 60);
            end.disconnect(); // 3.1.1 clean session: ends it
        }
        assertThat(got).as("MQTT 5 4.8.2: each message once, the ended session's share handed on")
                .containsExactlyInAnyOrder("m1", "m2", "m3", "m4");
    }

    /** Every message that arrives until none has come for 300 ms. */
    private static List<String> drain(Paho5Client client) throws InterruptedException {
        List<String> out = new ArrayList<>();
        Optional<Paho5Client.Received> r;
        while ((r = client.poll(Duration.ofMillis(300))).isPresent()) {
            out.add(r.get().payload());
        }
        return out;
    }
}
