package io.starling.broker.server.mqtt5;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.PubAck;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.ReasonCode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Topic aliases (MQTT 5 §3.3.2.3.4), both ways: the broker assigns aliases up to the client's Topic
 * Alias Maximum and clients resolve them; the broker resolves a client's aliases up to the maximum
 * of 10 it announced, and refuses one beyond it with DISCONNECT 0x94.
 */
class TopicAliasTest {
    @RegisterExtension
    static final BrokerUnderTest broker = new BrokerUnderTest();

    /** Topics published in an order that reuses aliases and runs out of them when the maximum is 3. */
    private static final List<String> SEQUENCE = List.of("a", "b", "a", "c", "d", "b", "d", "a", "c", "e", "a");

    private static Mqtt5BlockingClient publisher;

    @BeforeAll
    static void connectPublisher() {
        publisher = HiveMq5.connected(broker, "alias-publisher");
    }

    @AfterAll
    static void disconnectPublisher() {
        HiveMq5.disconnectQuietly(publisher);
    }

    @Test
    void brokerAssignedAliases_areSentAsTopicThenAliasAlone_upToTheClientsMaximum() {
        Properties accepts2 = Properties.builder().number(PropertyId.TOPIC_ALIAS_MAXIMUM, 2).build();
        try (RawMqttClient raw = Raw5.connected(broker.port(),
                Raw5.connect("alias-raw-sub", true, 60, accepts2, null))) {
            raw.subscribe(1, "alias/raw/#", QoS.AT_LEAST_ONCE);

            for (String t : List.of("a", "a", "b", "c", "c", "b", "a")) {
                HiveMq5.publish(publisher, "alias/raw/" + t, t, MqttQos.AT_MOST_ONCE);
            }

            List<String> seen = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                Publish p = raw.receive(Publish.class);
                seen.add("'" + p.topic() + "' alias " + p.properties().number(PropertyId.TOPIC_ALIAS, 0)
                        + " payload " + RawMqttClient.payloadOf(p));
            }
            assertThat(seen).containsExactly(
                    "'alias/raw/a' alias 1 payload a",
                    "'' alias 1 payload a",
                    "'alias/raw/b' alias 2 payload b",
                    "'alias/raw/c' alias 0 payload c", // both aliases taken: the full topic, no alias
                    "'alias/raw/c' alias 0 payload c",
                    "'' alias 2 payload b",
                    "'' alias 1 payload a");
        }
    }

    @Test
    void clientWithoutTopicAliasMaximum_neverReceivesAliases() {
        try (RawMqttClient raw = Raw5.connected(broker.port(), "alias-raw-none")) {
            raw.subscribe(1, "alias/none/#", QoS.AT_MOST_ONCE);

            HiveMq5.publish(publisher, "alias/none/x", "1", MqttQos.AT_MOST_ONCE);
            HiveMq5.publish(publisher, "alias/none/x", "2", MqttQos.AT_MOST_ONCE);

            for (int i = 0; i < 2; i++) {
                Publish p = raw.receive(Publish.class);
                assertThat(p.topic()).isEqualTo("alias/none/x");
                assertThat(p.properties().contains(PropertyId.TOPIC_ALIAS)).isFalse();
            }
        }
    }

    /**
     * Paho 1.2.5 keeps the aliases the broker announces but hands an aliased message to the
     * application with an empty topic (eclipse-paho/paho.mqtt.java#866), so the test resolves them
     * itself from the Topic Alias property Paho exposes: each alias must have been announced with its
     * topic on this connection before it is used alone.
     */
    @Test
    void brokerAssignedAliases_reachPaho_eachAnnouncedWithItsTopicBeforeUsedAlone() throws Exception {
        try (Paho5Client subscriber = new Paho5Client(broker.uri(), "alias-paho-sub")) {
            MqttConnectionOptions options = Paho5Client.options();
            options.setTopicAliasMaximum(3);
            subscriber.connect(options);
            subscriber.subscribe("alias/paho/#", 1);

            for (String t : SEQUENCE) {
                HiveMq5.publish(publisher, "alias/paho/" + t, t, MqttQos.AT_LEAST_ONCE);
            }

            Map<Integer, String> announced = new HashMap<>();
            List<String> topics = new ArrayList<>();
            for (Paho5Client.Received r : subscriber.receive(SEQUENCE.size())) {
                Integer alias = r.properties().getTopicAlias();
                String topic = r.topic();
                if (alias != null && topic.isEmpty()) {
                    assertThat(announced).as("alias %d used before it was announced", alias).containsKey(alias);
                    topic = announced.get(alias);
                } else if (alias != null) {
                    assertThat(alias).isBetween(1, 3);
                    announced.put(alias, topic);
                }
                assertThat(topic).isEqualTo("alias/paho/" + r.payload());
                topics.add(topic);
            }
            assertThat(topics).containsExactlyElementsOf(SEQUENCE.stream().map(t -> "alias/paho/" + t).toList());
            assertThat(announced).as("the client's maximum of 3 was used").hasSize(3);
        }
    }

    @Test
    void brokerAssignedAliases_areResolvedByHiveMq() throws Exception {
        Mqtt5BlockingClient subscriber = HiveMq5.client(broker, "alias-hivemq-sub");
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = subscriber.publishes(MqttGlobalPublishFilter.ALL)) {
            subscriber.connectWith().restrictions().topicAliasMaximum(3).applyRestrictions().send();
            subscriber.subscribeWith().topicFilter("alias/hivemq/#").qos(MqttQos.AT_LEAST_ONCE).send();

            for (String t : SEQUENCE) {
                HiveMq5.publish(publisher, "alias/hivemq/" + t, t, MqttQos.AT_LEAST_ONCE);
            }

            List<String> topics = new ArrayList<>();
            for (int i = 0; i < SEQUENCE.size(); i++) {
                Mqtt5Publish p = HiveMq5.receive(publishes);
                assertThat(p.getTopic().toString()).isEqualTo("alias/hivemq/" + HiveMq5.payload(p));
                topics.add(p.getTopic().toString());
            }
            assertThat(topics).containsExactlyElementsOf(SEQUENCE.stream().map(t -> "alias/hivemq/" + t).toList());
        } finally {
            HiveMq5.disconnectQuietly(subscriber);
        }
    }

    @Test
    void clientAliases_areResolvedByTheBroker_andNotForwarded() throws Exception {
        try (Paho5Client subscriber = Paho5Client.connected(broker, "alias-in-sub");
             RawMqttClient raw = Raw5.connected(broker.port(), "alias-in-pub")) {
            subscriber.subscribe("alias/in/#", 1);

            sendAcked(raw, "alias/in/one", 1, "1", 1);
            sendAcked(raw, "", 1, "2", 2);
            sendAcked(raw, "alias/in/two", 2, "3", 3);
            sendAcked(raw, "", 2, "4", 4);
            sendAcked(raw, "alias/in/three", 1, "5", 5); // alias 1 now stands for another topic
            sendAcked(raw, "", 1, "6", 6);

            List<String> got = new ArrayList<>();
            for (Paho5Client.Received r : subscriber.receive(6)) {
                got.add(r.topic() + " " + r.payload());
                assertThat(r.properties().getTopicAlias()).as("the publisher's alias is its own").isNull();
            }
            assertThat(got).containsExactly("alias/in/one 1", "alias/in/one 2", "alias/in/two 3", "alias/in/two 4",
                    "alias/in/three 5", "alias/in/three 6");
        }
    }

    @Test
    void pahoPublisherAliases_reachSubscribersOnTheRightTopics() throws Exception {
        Mqtt5BlockingClient subscriber = HiveMq5.connected(broker, "alias-paho-pub-sub");
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = subscriber.publishes(MqttGlobalPublishFilter.ALL);
             Paho5Client paho = Paho5Client.connected(broker, "alias-paho-pub")) {
            subscriber.subscribeWith().topicFilter("alias/paho-pub/#").qos(MqttQos.AT_LEAST_ONCE).send();

            for (String t : SEQUENCE) {
                paho.publish("alias/paho-pub/" + t, t, 1);
            }

            for (String t : SEQUENCE) {
                Mqtt5Publish p = HiveMq5.receive(publishes);
                assertThat(p.getTopic().toString()).isEqualTo("alias/paho-pub/" + t);
                assertThat(HiveMq5.payload(p)).isEqualTo(t);
            }
        } finally {
            HiveMq5.disconnectQuietly(subscriber);
        }
    }

    @Test
    void aliasAboveTheBrokersMaximum_isDisconnectedWithTopicAliasInvalid() {
        try (RawMqttClient raw = Raw5.connected(broker.port(), "alias-11")) {
            raw.send(Raw5.publish("alias/eleven", "x", QoS.AT_LEAST_ONCE, 1, alias(11)));

            Raw5.expectDisconnect(raw, ReasonCode.TOPIC_ALIAS_INVALID); // MQTT-3.3.2-9
        }
    }

    @Test
    void aliasAtTheBrokersMaximum_isAccepted() {
        try (RawMqttClient raw = Raw5.connected(broker.port(), "alias-10")) {
            raw.send(Raw5.publish("alias/ten", "x", QoS.AT_LEAST_ONCE, 1, alias(10)));
            raw.send(Raw5.publish("", "y", QoS.AT_LEAST_ONCE, 2, alias(10)));

            assertThat(raw.receive(PubAck.class).packetId()).isEqualTo(1);
            assertThat(raw.receive(PubAck.class).packetId()).isEqualTo(2);
        }
    }

    @Test
    void aliasZero_isDisconnectedWithMalformedPacket() {
        try (RawMqttClient raw = Raw5.connected(broker.port(), "alias-0")) {
            // PUBLISH QoS 0 "alias/zero", properties: Topic Alias 0 (our encoder refuses to write it), payload "x"
            raw.sendHex("30 11 00 0a 61 6c 69 61 73 2f 7a 65 72 6f 03 23 00 00 78");

            // MQTT-3.3.2-8: the codec rejects it while decoding, with 0x81 as mosquitto 2.0.11 does (measured).
            Raw5.expectDisconnect(raw, ReasonCode.MALFORMED_PACKET);
        }
    }

    @Test
    void aliasUsedBeforeItWasSet_isAProtocolError() {
        try (RawMqttClient raw = Raw5.connected(broker.port(), "alias-unset")) {
            raw.send(Raw5.publish("", "x", QoS.AT_MOST_ONCE, 0, alias(3)));

            Raw5.expectDisconnect(raw, ReasonCode.PROTOCOL_ERROR);
        }
    }

    @Test
    void emptyTopicWithoutAlias_isAProtocolError() {
        try (RawMqttClient raw = Raw5.connected(broker.port(), "alias-missing")) {
            raw.send(Raw5.publish("", "x", QoS.AT_MOST_ONCE, 0, Properties.EMPTY));

            Raw5.expectDisconnect(raw, ReasonCode.PROTOCOL_ERROR); // MQTT-3.3.2-1
        }
    }

    @Test
    void aliasesEndWithTheirConnection_evenWhenTheSessionGoesOn() {
        Properties persistent = Properties.builder().number(PropertyId.SESSION_EXPIRY_INTERVAL, 60).build();
        try (RawMqttClient first = Raw5.connected(broker.port(),
                Raw5.connect("alias-scope", true, 60, persistent, null))) {
            sendAcked(first, "alias/scope", 1, "set", 1);
            first.disconnect();
        }
        try (RawMqttClient second = Raw5.connected(broker.port(),
                Raw5.connect("alias-scope", false, 60, Properties.EMPTY, null))) {
            second.send(Raw5.publish("", "reuse", QoS.AT_MOST_ONCE, 0, alias(1)));

            Raw5.expectDisconnect(second, ReasonCode.PROTOCOL_ERROR); // MQTT-3.3.2-7: aliases are per connection
        }
    }

    private static Properties alias(int alias) {
        return Properties.builder().number(PropertyId.TOPIC_ALIAS, alias).build();
    }

    /** Sends a QoS 1 PUBLISH with a topic alias and waits for its PUBACK. */
    private static void sendAcked(RawMqttClient raw, String topic, int alias, String payload, int packetId) {
        raw.send(Raw5.publish(topic, payload, QoS.AT_LEAST_ONCE, packetId, alias(alias)));
        PubAck ack = raw.receive(PubAck.class);
        assertThat(ack.packetId()).isEqualTo(packetId);
        assertThat(ack.reasonCode()).isIn(ReasonCode.SUCCESS, ReasonCode.NO_MATCHING_SUBSCRIBERS);
    }
}
