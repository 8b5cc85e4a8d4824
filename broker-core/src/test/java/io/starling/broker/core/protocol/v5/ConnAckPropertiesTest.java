package io.starling.broker.core.protocol.v5;

import static io.starling.broker.core.protocol.v5.Mqtt5.number;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.BrokerSettings;
import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.Property;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.ReasonCode;
import io.starling.mqtt.codec.SubAck;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The properties of a successful 5.0 CONNACK (MQTT 5 §3.2.2.3): the same set, in the same order,
 * as Mosquitto 2.0.11 sends (measured on the wire), so that tools comparing bytes see no difference:
 * Topic Alias Maximum, Server Keep Alive, Assigned Client Identifier, then Retain Available, Maximum
 * Packet Size, Receive Maximum and Maximum QoS.
 */
class ConnAckPropertiesTest {
    private TestBroker broker;

    @AfterEach
    void tearDown() {
        broker.close();
    }

    private ConnAck connectWith(BrokerSettings settings, Connect connect) {
        broker = TestBroker.start(settings);
        TestClient c = broker.newClient();
        return c.connect(connect);
    }

    private static Connect connect5(String clientId, int keepAlive) {
        return Mqtt5.connect(clientId, true, keepAlive, null, Properties.EMPTY);
    }

    /**
     * The Shared Subscription Available property the broker owes: "0" while SUBSCRIBE refuses shared
     * subscriptions, nothing (available by default) once they are supported (MQTT-3.2.2.3.17).
     */
    private List<Property> sharedSubscriptionAvailability() {
        TestClient probe = Mqtt5.connected(broker, "shared-probe");
        SubAck ack = Mqtt5.subscribe(probe, Properties.EMPTY,
                Mqtt5.subscription("$share/g/probe", QoS.AT_MOST_ONCE, false, false, 0));
        probe.disconnect();
        return ack.reasonCodes().get(0) == ReasonCode.SHARED_SUBSCRIPTIONS_NOT_SUPPORTED
                ? List.of(number(PropertyId.SHARED_SUBSCRIPTION_AVAILABLE, 0)) : List.of();
    }

    private List<Property> expected(Property... properties) {
        List<Property> all = new ArrayList<>(List.of(properties));
        all.addAll(sharedSubscriptionAvailability());
        return all;
    }

    @Test
    void defaultSettings_announceTopicAliasMaximumThenReceiveMaximum() {
        ConnAck ack = connectWith(BrokerSettings.defaults(), connect5("c", 60));

        assertThat(ack.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        assertThat(ack.sessionPresent()).isFalse();
        assertThat(ack.properties().asList()).containsExactlyElementsOf(expected(
                number(PropertyId.TOPIC_ALIAS_MAXIMUM, 10),
                number(PropertyId.RECEIVE_MAXIMUM, 20)));
    }

    @Test
    void emptyClientId_isAssignedAnIdAnnouncedRightAfterTopicAliasMaximum() {
        broker = TestBroker.start();
        TestClient c = broker.newClient();

        ConnAck ack = c.connect(connect5("", 60));

        List<Property> got = ack.properties().asList();
        String assigned = ack.properties().text(PropertyId.ASSIGNED_CLIENT_IDENTIFIER);
        assertThat(assigned).startsWith("auto-").hasSizeGreaterThan("auto-".length());
        assertThat(c.clientId()).isEqualTo(assigned);
        assertThat(broker.core().sessions().get(assigned)).isNotNull();
        assertThat(got).containsExactlyElementsOf(expected(
                number(PropertyId.TOPIC_ALIAS_MAXIMUM, 10),
                new Property.Text(PropertyId.ASSIGNED_CLIENT_IDENTIFIER, assigned),
                number(PropertyId.RECEIVE_MAXIMUM, 20)));
    }

    @Test
    void keepAliveAboveMaxKeepAlive_isLoweredWithServerKeepAliveAfterTopicAliasMaximum() {
        broker = TestBroker.start(BrokerSettings.defaults().toBuilder().maxKeepAlive(100).build());
        TestClient c = broker.newClient();

        ConnAck ack = c.connect(connect5("c", 200));

        assertThat(ack.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        assertThat(ack.properties().asList()).containsExactlyElementsOf(expected(
                number(PropertyId.TOPIC_ALIAS_MAXIMUM, 10),
                number(PropertyId.SERVER_KEEP_ALIVE, 100),
                number(PropertyId.RECEIVE_MAXIMUM, 20)));
        assertThat(c.connection().readTimeoutMillis()).isEqualTo(100 * 1500L); // MQTT-3.1.2-24 with the server's value
    }

    @Test
    void serverKeepAlive_comesBeforeTheAssignedClientIdentifier() {
        broker = TestBroker.start(BrokerSettings.defaults().toBuilder().maxKeepAlive(100).build());
        TestClient c = broker.newClient();

        ConnAck ack = c.connect(connect5("", 101));

        assertThat(ack.properties().asList()).extracting(Property::id).containsSubsequence(
                PropertyId.TOPIC_ALIAS_MAXIMUM, PropertyId.SERVER_KEEP_ALIVE, PropertyId.ASSIGNED_CLIENT_IDENTIFIER);
    }

    @Test
    void keepAliveWithinMaxKeepAlive_isKeptWithoutServerKeepAlive() {
        broker = TestBroker.start(BrokerSettings.defaults().toBuilder().maxKeepAlive(100).build());
        TestClient c = broker.newClient();

        ConnAck ack = c.connect(connect5("c", 100));

        assertThat(ack.properties().contains(PropertyId.SERVER_KEEP_ALIVE)).isFalse();
        assertThat(c.connection().readTimeoutMillis()).isEqualTo(100 * 1500L);
    }

    @Test
    void retainUnavailable_isAnnouncedAsRetainAvailableZero() {
        ConnAck ack = connectWith(BrokerSettings.defaults().toBuilder().retainAvailable(false).build(),
                connect5("c", 60));

        assertThat(ack.properties().asList()).containsExactlyElementsOf(expected(
                number(PropertyId.TOPIC_ALIAS_MAXIMUM, 10),
                number(PropertyId.RETAIN_AVAILABLE, 0),
                number(PropertyId.RECEIVE_MAXIMUM, 20)));
    }

    @Test
    void maxQos1_isAnnouncedAsMaximumQosAfterReceiveMaximum() {
        ConnAck ack = connectWith(BrokerSettings.defaults().toBuilder().maxQos(1).build(), connect5("c", 60));

        assertThat(ack.properties().asList()).containsExactlyElementsOf(expected(
                number(PropertyId.TOPIC_ALIAS_MAXIMUM, 10),
                number(PropertyId.RECEIVE_MAXIMUM, 20),
                number(PropertyId.MAXIMUM_QOS, 1)));
    }

    @Test
    void configuredMaxPacketSize_isAnnouncedBeforeReceiveMaximum() {
        ConnAck ack = connectWith(BrokerSettings.defaults().toBuilder().maxPacketSize(1000).build(),
                connect5("c", 60));

        assertThat(ack.properties().asList()).containsExactlyElementsOf(expected(
                number(PropertyId.TOPIC_ALIAS_MAXIMUM, 10),
                number(PropertyId.MAXIMUM_PACKET_SIZE, 1000),
                number(PropertyId.RECEIVE_MAXIMUM, 20)));
    }

    @Test
    void everyLimitAtOnce_keepsMosquittosOrder() {
        ConnAck ack = connectWith(BrokerSettings.defaults().toBuilder().retainAvailable(false).maxPacketSize(1000)
                .maxQos(0).maxInflightMessages(5).maxTopicAlias(3).build(), connect5("c", 60));

        assertThat(ack.properties().asList()).containsExactlyElementsOf(expected(
                number(PropertyId.TOPIC_ALIAS_MAXIMUM, 3),
                number(PropertyId.RETAIN_AVAILABLE, 0),
                number(PropertyId.MAXIMUM_PACKET_SIZE, 1000),
                number(PropertyId.RECEIVE_MAXIMUM, 5),
                number(PropertyId.MAXIMUM_QOS, 0)));
    }

    @Test
    void noTopicAliasesAndNoInflightLimit_announceNeither() {
        ConnAck ack = connectWith(BrokerSettings.defaults().toBuilder().maxTopicAlias(0).maxInflightMessages(0).build(),
                connect5("c", 60));

        assertThat(ack.properties().asList()).containsExactlyElementsOf(expected());
    }

    @Test
    void refusedConnAck_stillAnnouncesAMaximumQosBelowTwo() {
        ConnAck ack = connectWith(BrokerSettings.defaults().toBuilder().maxQos(1).allowZeroLengthClientId(false).build(),
                connect5("", 60));

        assertThat(ack.reasonCode()).isEqualTo(ReasonCode.UNSPECIFIED_ERROR);
        assertThat(ack.properties().asList()).containsExactly(number(PropertyId.MAXIMUM_QOS, 1)); // as mosquitto
    }

    @Test
    void connAckLargerThanTheClientsMaximumPacketSize_isNotSentAndTheConnectionCloses() {
        broker = TestBroker.start();
        TestClient c = broker.newClient();
        // The CONNACK (topic alias maximum, receive maximum) is 11 bytes.
        c.send(Mqtt5.connect("c", true, Mqtt5.props(number(PropertyId.MAXIMUM_PACKET_SIZE, 10))));

        assertThat(c.connection().written()).isEmpty(); // MQTT-3.1.2-25
        assertThat(c.isClosed()).isTrue();
    }

    @Test
    void connAckOfExactlyTheClientsMaximumPacketSize_isSent() {
        broker = TestBroker.start();
        TestClient c = broker.newClient();

        ConnAck ack = c.connect(Mqtt5.connect("c", true, Mqtt5.props(number(PropertyId.MAXIMUM_PACKET_SIZE, 11))));

        assertThat(ack.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        assertThat(c.isClosed()).isFalse();
    }

    @Test
    void mqtt311ConnAck_hasNoProperties() {
        ConnAck ack = connectWith(BrokerSettings.defaults().toBuilder().retainAvailable(false).maxQos(1)
                .maxPacketSize(1000).build(), new Connect(MqttVersion.MQTT_3_1_1, "", true, 60, null, null, null,
                Properties.EMPTY));

        assertThat(ack.reasonCode()).isEqualTo(ReasonCode.V3_ACCEPTED);
        assertThat(ack.properties().isEmpty()).isTrue();
    }

    @Test
    void unsupportedAuthenticationMethod_isRefusedWithBadAuthenticationMethodAndClosed() {
        broker = TestBroker.start();
        TestClient c = broker.newClient();

        ConnAck ack = c.connect(Mqtt5.connect("c", true, Mqtt5.props(
                Mqtt5.text(PropertyId.AUTHENTICATION_METHOD, "SCRAM-SHA-1"))));

        assertThat(ack.reasonCode()).isEqualTo(ReasonCode.BAD_AUTHENTICATION_METHOD);
        assertThat(ack.sessionPresent()).isFalse();
        assertThat(ack.properties().isEmpty()).isTrue();
        assertThat(c.isClosed()).isTrue();
        c.expectNothing();
        assertThat(broker.core().sessions().get("c")).isNull();
    }
}
