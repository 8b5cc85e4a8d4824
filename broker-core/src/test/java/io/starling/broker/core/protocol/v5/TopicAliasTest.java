package io.starling.broker.core.protocol.v5;

import static io.starling.broker.core.protocol.v5.Mqtt5.number;
import static io.starling.broker.core.protocol.v5.Mqtt5.props;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.BrokerSettings;
import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.PubAck;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.ReasonCode;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Topic aliases (MQTT 5 §3.3.2.3.4) both ways: those a client sets on its PUBLISH packets, up to
 * the broker's Topic Alias Maximum (10 by default), and those the broker assigns when sending to a
 * client that announced a Topic Alias Maximum. Aliases belong to one connection.
 */
class TopicAliasTest {
    private TestBroker broker = TestBroker.start();

    @AfterEach
    void tearDown() {
        broker.close();
    }

    private static Properties alias(int alias) {
        return props(number(PropertyId.TOPIC_ALIAS, alias));
    }

    /** A 5.0 subscriber to "#" that announced {@code topicAliasMaximum} (none when 0). */
    private TestClient subscriber(String clientId, int topicAliasMaximum) {
        Properties p = topicAliasMaximum == 0 ? Properties.EMPTY
                : props(number(PropertyId.TOPIC_ALIAS_MAXIMUM, topicAliasMaximum));
        TestClient sub = Mqtt5.connected(broker, clientId, true, p);
        sub.subscribe("#", QoS.AT_MOST_ONCE);
        return sub;
    }

    private static String topicAndAlias(Publish p) {
        long alias = p.properties().number(PropertyId.TOPIC_ALIAS, 0);
        return "'" + p.topic() + "'" + (alias == 0 ? "" : " alias " + alias);
    }

    // ---- client to broker ----

    @Test
    void aliasSetWithATopic_standsForItInLaterPublishes() {
        TestClient sub = subscriber("sub", 0);
        TestClient pub = Mqtt5.connected(broker, "pub");

        Mqtt5.publish(broker, pub, "a/b", QoS.AT_MOST_ONCE, alias(1), "first");
        Mqtt5.publish(broker, pub, "", QoS.AT_MOST_ONCE, alias(1), "second");

        List<Publish> got = sub.takePublishes();
        assertThat(got).extracting(Publish::topic).containsExactly("a/b", "a/b");
        assertThat(got).extracting(Mqtt5::text).containsExactly("first", "second");
        assertThat(pub.isClosed()).isFalse();
    }

    @Test
    void aliasSetAgain_standsForTheNewTopic() {
        TestClient sub = subscriber("sub", 0);
        TestClient pub = Mqtt5.connected(broker, "pub");

        Mqtt5.publish(broker, pub, "a/b", QoS.AT_MOST_ONCE, alias(3), "1");
        Mqtt5.publish(broker, pub, "c/d", QoS.AT_MOST_ONCE, alias(3), "2");
        Mqtt5.publish(broker, pub, "", QoS.AT_MOST_ONCE, alias(3), "3");

        assertThat(sub.takePublishes()).extracting(Publish::topic).containsExactly("a/b", "c/d", "c/d");
    }

    @Test
    void qos1PublishByAlias_isAcknowledgedAndRouted() {
        TestClient sub = subscriber("sub", 0);
        TestClient pub = Mqtt5.connected(broker, "pub");
        Mqtt5.publish(broker, pub, "a/b", QoS.AT_LEAST_ONCE, alias(10), "set");
        pub.take();

        Mqtt5.publish(broker, pub, "", QoS.AT_LEAST_ONCE, alias(10), "used");

        assertThat(pub.take()).hasSize(1).allMatch(p -> p instanceof PubAck a
                && a.reasonCode() == ReasonCode.SUCCESS);
        assertThat(sub.takePublishes()).extracting(Publish::topic).containsExactly("a/b", "a/b");
    }

    @Test
    void aliasZero_closesTheConnectionWithTopicAliasInvalid() {
        TestClient pub = Mqtt5.connected(broker, "pub");

        Mqtt5.publish(broker, pub, "a/b", QoS.AT_MOST_ONCE, alias(0), "x"); // MQTT-3.3.2-8

        Mqtt5.assertDisconnectedWith(pub, ReasonCode.TOPIC_ALIAS_INVALID);
        broker.payloads().assertAllReleased();
    }

    @Test
    void aliasAboveTheBrokersMaximum_closesTheConnectionWithTopicAliasInvalid() {
        TestClient sub = subscriber("sub", 0);
        TestClient pub = Mqtt5.connected(broker, "pub");

        Mqtt5.publish(broker, pub, "a/b", QoS.AT_MOST_ONCE, alias(11), "x"); // MQTT-3.3.2-9

        Mqtt5.assertDisconnectedWith(pub, ReasonCode.TOPIC_ALIAS_INVALID);
        sub.expectNothing();
        broker.payloads().assertAllReleased();
    }

    @Test
    void anyAlias_whenTheBrokerAllowsNone_closesTheConnection() {
        broker.close();
        broker = TestBroker.start(BrokerSettings.defaults().toBuilder().maxTopicAlias(0).build());
        TestClient pub = Mqtt5.connected(broker, "pub");

        Mqtt5.publish(broker, pub, "a/b", QoS.AT_MOST_ONCE, alias(1), "x");

        Mqtt5.assertDisconnectedWith(pub, ReasonCode.TOPIC_ALIAS_INVALID);
    }

    @Test
    void emptyTopicWithAnUnknownAlias_isAProtocolError() {
        TestClient sub = subscriber("sub", 0);
        TestClient pub = Mqtt5.connected(broker, "pub");

        Mqtt5.publish(broker, pub, "", QoS.AT_LEAST_ONCE, alias(2), "x");

        Mqtt5.assertDisconnectedWith(pub, ReasonCode.PROTOCOL_ERROR);
        sub.expectNothing();
        broker.payloads().assertAllReleased();
    }

    @Test
    void emptyTopicWithoutAlias_isAProtocolError() {
        TestClient pub = Mqtt5.connected(broker, "pub");

        Mqtt5.publish(broker, pub, "", QoS.AT_MOST_ONCE, Properties.EMPTY, "x"); // MQTT-3.3.2-1

        Mqtt5.assertDisconnectedWith(pub, ReasonCode.PROTOCOL_ERROR);
    }

    @Test
    void aliases_doNotOutliveTheirConnection() {
        TestClient pub = broker.newClient();
        pub.connect(Mqtt5.connect("pub", true, Mqtt5.sessionExpiry(60)));
        Mqtt5.publish(broker, pub, "a/b", QoS.AT_MOST_ONCE, alias(1), "set");
        pub.dropConnection();

        TestClient again = broker.newClient();
        again.connect(Mqtt5.connect("pub", false, Mqtt5.sessionExpiry(60)));
        Mqtt5.publish(broker, again, "", QoS.AT_MOST_ONCE, alias(1), "unknown here");

        Mqtt5.assertDisconnectedWith(again, ReasonCode.PROTOCOL_ERROR);
    }

    // ---- broker to client ----

    @Test
    void subscriberWithTopicAliasMaximum_getsTheTopicOnceThenTheAliasAlone() {
        TestClient sub = subscriber("sub", 2);
        TestClient pub = Mqtt5.connected(broker, "pub");

        for (String topic : List.of("t/1", "t/1", "t/2", "t/3", "t/2", "t/3")) {
            pub.publish(topic, QoS.AT_MOST_ONCE, topic);
        }

        assertThat(sub.takePublishes()).extracting(TopicAliasTest::topicAndAlias).containsExactly(
                "'t/1' alias 1",
                "'' alias 1",
                "'t/2' alias 2",
                "'t/3'", // beyond the subscriber's maximum: the full topic, no alias
                "'' alias 2",
                "'t/3'");
    }

    @Test
    void subscriberWithoutTopicAliasMaximum_getsNoAliases() {
        TestClient sub = subscriber("sub", 0);
        TestClient pub = Mqtt5.connected(broker, "pub");

        pub.publish("t/1", QoS.AT_MOST_ONCE, "x");
        pub.publish("t/1", QoS.AT_MOST_ONCE, "y");

        assertThat(sub.takePublishes()).extracting(TopicAliasTest::topicAndAlias).containsExactly("'t/1'", "'t/1'");
    }

    @Test
    void publishersAlias_isNotForwarded() {
        TestClient plain = subscriber("plain", 0);
        TestClient aliased = subscriber("aliased", 5);
        TestClient legacy = broker.connected("legacy");
        legacy.subscribe("#", QoS.AT_MOST_ONCE);
        TestClient pub = Mqtt5.connected(broker, "pub");

        Mqtt5.publish(broker, pub, "a/b", QoS.AT_MOST_ONCE, alias(7), "1");
        Mqtt5.publish(broker, pub, "", QoS.AT_MOST_ONCE, alias(7), "2");

        assertThat(plain.takePublishes()).extracting(TopicAliasTest::topicAndAlias).containsExactly("'a/b'", "'a/b'");
        assertThat(aliased.takePublishes()).extracting(TopicAliasTest::topicAndAlias)
                .containsExactly("'a/b' alias 1", "'' alias 1");
        assertThat(legacy.takePublishes()).extracting(TopicAliasTest::topicAndAlias).containsExactly("'a/b'", "'a/b'");
    }

    @Test
    void brokerAssignedAliases_startAfreshOnANewConnection() {
        TestClient sub = broker.newClient();
        sub.connect(Mqtt5.connect("sub", true, props(number(PropertyId.SESSION_EXPIRY_INTERVAL, 60),
                number(PropertyId.TOPIC_ALIAS_MAXIMUM, 2))));
        sub.subscribe("#", QoS.AT_MOST_ONCE);
        TestClient pub = Mqtt5.connected(broker, "pub");
        pub.publish("t/1", QoS.AT_MOST_ONCE, "x");
        sub.take();
        sub.dropConnection();

        TestClient again = broker.newClient();
        again.connect(Mqtt5.connect("sub", false, props(number(PropertyId.SESSION_EXPIRY_INTERVAL, 60),
                number(PropertyId.TOPIC_ALIAS_MAXIMUM, 2))));
        pub.publish("t/1", QoS.AT_MOST_ONCE, "y");

        assertThat(again.takePublishes()).extracting(TopicAliasTest::topicAndAlias).containsExactly("'t/1' alias 1");
    }
}
