package io.starling.broker.server.mqtt5;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttClientIdentifier;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PropertyId;
import java.time.Duration;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * CONNACK of MQTT 5 (§3.2): the properties the broker announces (as Mosquitto 2.0 does: Topic Alias
 * Maximum 10, Receive Maximum 20, an Assigned Client Identifier for an empty id, Server Keep Alive
 * when it lowers the client's), and Session Present under Clean Start and Session Expiry Interval.
 */
class ConnAckTest {
    @RegisterExtension
    static final BrokerUnderTest broker = new BrokerUnderTest();

    @Test
    void connAck_announcesReceiveMaximum20AndTopicAliasMaximum10_toPaho() throws Exception {
        try (Paho5Client client = new Paho5Client(broker.uri(), "connack-paho")) {
            IMqttToken token = client.connect(Paho5Client.options());

            MqttProperties p = token.getResponseProperties();
            assertThat(p.getReceiveMaximum()).isEqualTo(20);
            assertThat(p.getTopicAliasMaximum()).isEqualTo(10);
            assertThat(p.getAssignedClientIdentifier()).as("no id assigned for a non-empty one").isNull();
            assertThat(p.getServerKeepAlive()).as("keepalive 30 is not lowered").isNull();
            assertThat(p.getMaximumPacketSize()).as("no packet size limit below the protocol's").isNull();
            assertThat(p.getMaximumQoS()).as("QoS 2 is available, so not announced").isNull();
            assertThat(token.getSessionPresent()).isFalse();
        }
    }

    @Test
    void connAck_announcesReceiveMaximum20AndTopicAliasMaximum10_toHiveMq() {
        Mqtt5BlockingClient client = HiveMq5.client(broker, "connack-hivemq");
        try {
            Mqtt5ConnAck ack = client.connect();

            assertThat(ack.getRestrictions().getReceiveMaximum()).isEqualTo(20);
            assertThat(ack.getRestrictions().getTopicAliasMaximum()).isEqualTo(10);
            assertThat(ack.getRestrictions().isRetainAvailable()).isTrue();
            assertThat(ack.getAssignedClientIdentifier()).isEmpty();
            assertThat(ack.getServerKeepAlive()).isEmpty();
            assertThat(ack.isSessionPresent()).isFalse();
        } finally {
            HiveMq5.disconnectQuietly(client);
        }
    }

    @Test
    void emptyClientId_isAssignedAnIdentifier_seenByHiveMq() {
        Mqtt5BlockingClient first = HiveMq5.builder(broker.port()).buildBlocking();
        Mqtt5BlockingClient second = HiveMq5.builder(broker.port()).buildBlocking();
        try {
            Mqtt5ConnAck a = first.connect();
            Mqtt5ConnAck b = second.connect();

            String idA = a.getAssignedClientIdentifier().map(MqttClientIdentifier::toString).orElseThrow();
            String idB = b.getAssignedClientIdentifier().map(MqttClientIdentifier::toString).orElseThrow();
            assertThat(idA).startsWith("auto-");
            assertThat(idB).startsWith("auto-").isNotEqualTo(idA);
            assertThat(broker.core().sessions().get(idA)).as("the session is registered under the assigned id")
                    .isNotNull();
        } finally {
            HiveMq5.disconnectQuietly(first);
            HiveMq5.disconnectQuietly(second);
        }
    }

    @Test
    void emptyClientId_isAssignedAnIdentifier_seenByPaho() throws Exception {
        try (Paho5Client client = new Paho5Client(broker.uri(), "")) {
            IMqttToken token = client.connect(Paho5Client.options());

            assertThat(token.getResponseProperties().getAssignedClientIdentifier()).startsWith("auto-");
        }
    }

    @Test
    void emptyClientId_withCleanStartFalse_isAcceptedInMqtt5() {
        Mqtt5BlockingClient client = HiveMq5.builder(broker.port()).buildBlocking();
        try {
            Mqtt5ConnAck ack = client.connectWith().cleanStart(false).send();

            assertThat(ack.getAssignedClientIdentifier()).isPresent();
            assertThat(ack.isSessionPresent()).isFalse();
        } finally {
            HiveMq5.disconnectQuietly(client);
        }
    }

    @Test
    void sessionExpiryZero_neverResumesASession() throws Exception {
        try (Paho5Client client = new Paho5Client(broker.uri(), "connack-expiry0")) {
            client.connect(Paho5Client.options(true, 0));
            client.subscribe("connack/expiry0", 1);
            client.disconnect();

            IMqttToken again = client.connect(Paho5Client.options(false, 0));

            assertThat(again.getSessionPresent()).as("expiry 0 ends the session with its connection").isFalse();
        }
    }

    @Test
    void cleanStartFalse_withSessionExpiry_resumesTheSessionWithSessionPresent() throws Exception {
        try (Paho5Client client = new Paho5Client(broker.uri(), "connack-resume")) {
            IMqttToken first = client.connect(Paho5Client.options(true, 60));
            assertThat(first.getSessionPresent()).isFalse();
            client.subscribe("connack/resume", 1);
            client.disconnect();

            IMqttToken second = client.connect(Paho5Client.options(false, 60));

            assertThat(second.getSessionPresent()).isTrue();
        } finally {
            endSession("connack-resume");
        }
    }

    @Test
    void cleanStartTrue_discardsAnExistingSession() throws Exception {
        Mqtt5BlockingClient publisher = HiveMq5.connected(broker, "connack-discard-pub");
        try (Paho5Client client = new Paho5Client(broker.uri(), "connack-discard")) {
            client.connect(Paho5Client.options(true, 60));
            client.subscribe("connack/discard", 1);
            client.disconnect();

            IMqttToken again = client.connect(Paho5Client.options(true, 60));
            HiveMq5.publish(publisher, "connack/discard", "after clean start", MqttQos.AT_LEAST_ONCE);

            assertThat(again.getSessionPresent()).isFalse();
            assertThat(client.poll(Duration.ofMillis(300))).as("the old subscription is gone").isEmpty();
        } finally {
            HiveMq5.disconnectQuietly(publisher);
            endSession("connack-discard");
        }
    }

    @Test
    void takeoverOfAConnectedPersistentSession_hasSessionPresent() throws Exception {
        try (Paho5Client first = new Paho5Client(broker.uri(), "connack-takeover");
             Paho5Client second = new Paho5Client(broker.uri(), "connack-takeover")) {
            first.connect(Paho5Client.options(true, 60));

            IMqttToken token = second.connect(Paho5Client.options(false, 60));

            assertThat(token.getSessionPresent()).isTrue();
        } finally {
            endSession("connack-takeover");
        }
    }

    @Test
    void keepAliveAboveMaxKeepalive_isLoweredAndAnnouncedAsServerKeepAlive() throws Exception {
        try (BrokerUnderTest.Dedicated limited = new BrokerUnderTest.Dedicated(
                c -> BrokerUnderTest.withMaxKeepalive(c, 60));
             Paho5Client client = new Paho5Client(limited.uri(), "connack-keepalive")) {
            MqttConnectionOptions options = Paho5Client.options();
            options.setKeepAliveInterval(120);

            IMqttToken token = client.connect(options);

            assertThat(token.getResponseProperties().getServerKeepAlive()).isEqualTo(60);
        }
    }

    @Test
    void keepAliveZero_isReplacedByMaxKeepalive_asMosquittoDoes() throws Exception {
        try (BrokerUnderTest.Dedicated limited = new BrokerUnderTest.Dedicated(
                c -> BrokerUnderTest.withMaxKeepalive(c, 60));
             RawMqttClient raw = RawMqttClient.open(limited.port())) {

            ConnAck ack = raw.connect(Raw5.connect("connack-keepalive-zero", true, 0, Properties.EMPTY, null));

            assertThat(ack.properties().number(PropertyId.SERVER_KEEP_ALIVE, -1)).isEqualTo(60);
        }
    }

    /** Connects with Clean Start and expiry 0 and leaves: the shared broker keeps no session for the id. */
    private static void endSession(String clientId) throws Exception {
        try (Paho5Client c = new Paho5Client(broker.uri(), clientId)) {
            c.connect(Paho5Client.options(true, 0));
            c.disconnect();
        }
    }
}
