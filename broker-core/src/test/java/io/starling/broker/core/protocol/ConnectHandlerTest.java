package io.starling.broker.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.BrokerSettings;
import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.Malformed;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.PacketType;
import io.starling.mqtt.codec.PingReq;
import io.starling.mqtt.codec.PingResp;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.ReasonCode;
import io.starling.mqtt.codec.SubAck;
import io.starling.mqtt.codec.Subscribe;
import io.starling.mqtt.codec.Subscription;
import io.starling.mqtt.codec.SubscriptionOptions;
import io.starling.mqtt.codec.Will;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** CONNECT and the connection's life around it (3.1.1 §3.1, §3.2). */
class ConnectHandlerTest {
    private TestBroker broker = TestBroker.start();

    @AfterEach
    void tearDown() {
        broker.close();
    }

    private static Connect connect(MqttVersion version, String clientId, boolean clean, int keepAlive) {
        return new Connect(version, clientId, clean, keepAlive, null, null, null, Properties.EMPTY);
    }

    @Test
    void connect_isAcceptedWithoutSessionPresent() {
        TestClient c = broker.newClient();

        ConnAck ack = c.connect("c1", true);

        assertThat(ack.reasonCode()).isEqualTo(ReasonCode.V3_ACCEPTED);
        assertThat(ack.sessionPresent()).isFalse();
        assertThat(c.isClosed()).isFalse();
        assertThat(c.clientId()).isEqualTo("c1");
        assertThat(c.connection().protocolVersion()).isEqualTo(MqttVersion.MQTT_3_1_1);
        assertThat(c.connection().isReading()).isTrue();
    }

    @Test
    void connectAnsweredAtOnce_neverStopsReading() {
        // A fast password check and a new session answer within the read: stopping and resuming reading
        // would cost two epoll_ctl calls per connect for nothing (issue 16: connect storms).
        TestClient c = broker.newClient();

        c.connect("c1", true);

        assertThat(c.connection().readingSwitches()).isZero();
    }

    @Test
    void connack_isFlushedAtTheEndOfTheReadBatch() {
        TestClient c = broker.newClient();

        c.connect("c1", true);

        assertThat(c.connection().flushCount()).isEqualTo(1);
        assertThat(c.connection().unflushedCount()).isZero();
    }

    @Test
    void connect_setsReadTimeoutToOneAndAHalfKeepAlives() {
        TestClient c = broker.newClient();

        c.connect(connect(MqttVersion.MQTT_3_1_1, "c1", true, 10));

        assertThat(c.connection().readTimeoutMillis()).isEqualTo(15_000);
    }

    @Test
    void connectWithZeroKeepAlive_turnsTheReadTimeoutOff() {
        TestClient c = broker.newClient();

        c.connect(connect(MqttVersion.MQTT_3_1_1, "c1", true, 0));

        assertThat(c.connection().readTimeoutMillis()).isZero();
    }

    @Test
    void emptyClientIdWithCleanSession_isAssignedAnId() {
        TestClient c = broker.newClient();

        ConnAck ack = c.connect(connect(MqttVersion.MQTT_3_1_1, "", true, 60));

        assertThat(ack.reasonCode()).isEqualTo(ReasonCode.V3_ACCEPTED);
        assertThat(c.clientId()).startsWith("auto-").hasSizeGreaterThan("auto-".length());
        assertThat(broker.core().sessions().get(c.clientId())).isNotNull();
    }

    @Test
    void emptyClientIds_getDistinctAssignedIds() {
        TestClient a = broker.newClient();
        TestClient b = broker.newClient();

        a.connect("", true);
        b.connect("", true);

        assertThat(a.clientId()).isNotEqualTo(b.clientId());
        assertThat(a.isClosed()).isFalse();
        assertThat(b.isClosed()).isFalse();
    }

    @Test
    void emptyClientIdWithoutCleanSession_isRefusedAsIdentifierRejected() {
        TestClient c = broker.newClient();

        ConnAck ack = c.connect("", false); // MQTT-3.1.3-8

        assertThat(ack.reasonCode()).isEqualTo(ReasonCode.V3_IDENTIFIER_REJECTED);
        assertThat(ack.sessionPresent()).isFalse();
        assertThat(c.isClosed()).isTrue();
        assertThat(broker.core().sessions().size()).isZero();
    }

    @Test
    void emptyClientIdOnMqtt31_isRefused() {
        TestClient c = broker.newClient();

        ConnAck ack = c.connect(connect(MqttVersion.MQTT_3_1, "", true, 60));

        assertThat(ack.reasonCode()).isEqualTo(ReasonCode.V3_IDENTIFIER_REJECTED);
        assertThat(c.isClosed()).isTrue();
    }

    @Test
    void emptyClientId_isRefusedWhenZeroLengthIdsAreNotAllowed() {
        BrokerSettings d = BrokerSettings.defaults();
        broker.close();
        broker = TestBroker.start(d.toBuilder().allowZeroLengthClientId(false).build());
        TestClient c = broker.newClient();

        ConnAck ack = c.connect("", true);

        assertThat(ack.reasonCode()).isEqualTo(ReasonCode.V3_IDENTIFIER_REJECTED);
        assertThat(c.isClosed()).isTrue();
    }

    @Test
    void emptyClientIdOnMqtt5_isRefusedWithUnspecifiedErrorWhenZeroLengthIdsAreNotAllowed() {
        broker.close();
        broker = TestBroker.start(BrokerSettings.defaults().toBuilder().allowZeroLengthClientId(false).build());
        TestClient c = broker.newClient();

        ConnAck ack = c.connect(connect(MqttVersion.MQTT_5, "", true, 60));

        assertThat(ack.reasonCode()).isEqualTo(ReasonCode.UNSPECIFIED_ERROR); // 0x80, as mosquitto 2.0.11
        assertThat(c.isClosed()).isTrue();
    }

    @Test
    void assignedClientId_isThePrefixAndThirtySixCharactersInUuidForm() {
        TestClient c = broker.newClient();

        c.connect("", true);

        assertThat(c.clientId()).matches("auto-[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}");
    }

    @Test
    void willPayloadOverMessageSizeLimit_isRefused() {
        broker.close();
        broker = TestBroker.start(BrokerSettings.defaults().toBuilder().messageSizeLimit(10).build());
        Will fits = new Will("w", "0123456789".getBytes(StandardCharsets.UTF_8), QoS.AT_MOST_ONCE, false, Properties.EMPTY);
        Will over = new Will("w", "0123456789A".getBytes(StandardCharsets.UTF_8), QoS.AT_MOST_ONCE, false,
                Properties.EMPTY);

        assertThat(broker.newClient().connect(TestClient.connectPacket("a", true, fits)).reasonCode())
                .isEqualTo(ReasonCode.V3_ACCEPTED);
        TestClient v3 = broker.newClient();
        assertThat(v3.connect(TestClient.connectPacket("b", true, over)).reasonCode())
                .isEqualTo(ReasonCode.V3_NOT_AUTHORIZED); // rc 5, as mosquitto
        assertThat(v3.isClosed()).isTrue();
        TestClient v5 = broker.newClient();
        ConnAck refused = v5.connect(new Connect(MqttVersion.MQTT_5, "c", true, 60, null, null, over, Properties.EMPTY));
        assertThat(refused.reasonCode()).isEqualTo(ReasonCode.PACKET_TOO_LARGE);
        assertThat(v5.isClosed()).isTrue();
    }

    @Test
    void keepAliveAboveMaximum_isRefusedAsIdentifierRejected() {
        BrokerSettings d = BrokerSettings.defaults();
        broker.close();
        broker = TestBroker.start(d.toBuilder().maxKeepAlive(100).build());
        TestClient over = broker.newClient();
        TestClient atLimit = broker.newClient();

        ConnAck refused = over.connect(connect(MqttVersion.MQTT_3_1_1, "over", true, 101));
        ConnAck accepted = atLimit.connect(connect(MqttVersion.MQTT_3_1_1, "at-limit", true, 100));

        assertThat(refused.reasonCode()).isEqualTo(ReasonCode.V3_IDENTIFIER_REJECTED);
        assertThat(over.isClosed()).isTrue();
        assertThat(accepted.reasonCode()).isEqualTo(ReasonCode.V3_ACCEPTED);
        assertThat(atLimit.isClosed()).isFalse();
    }

    @Test
    void unsupportedProtocolLevel_isRefusedWithUnacceptableProtocolVersion() {
        TestClient c = broker.newClient();

        c.loop().run(() -> {
            c.client().onMalformed(new Malformed(ReasonCode.UNSUPPORTED_PROTOCOL_VERSION, "protocol level 7",
                    PacketType.CONNECT));
            c.client().onReadComplete();
        });
        c.loop().drain();

        ConnAck ack = c.expect(ConnAck.class); // MQTT-3.1.2-2
        assertThat(ack.reasonCode()).isEqualTo(ReasonCode.V3_UNACCEPTABLE_PROTOCOL_VERSION);
        assertThat(c.isClosed()).isTrue();
        assertThat(c.connection().unflushedCount()).isZero();
    }

    @Test
    void malformedConnect_closesWithoutConnAck() {
        TestClient c = broker.newClient();

        c.loop().run(() -> c.client().onMalformed(new Malformed(ReasonCode.MALFORMED_PACKET, "truncated",
                PacketType.CONNECT)));
        c.loop().drain();

        assertThat(c.isClosed()).isTrue();
        c.expectNothing();
        assertThat(broker.core().drops().malformedPackets.sum()).isOne();
    }

    @Test
    void packetBeforeConnect_closesTheConnection() {
        TestClient c = broker.newClient();

        c.send(PingReq.INSTANCE);

        assertThat(c.isClosed()).isTrue();
        c.expectNothing();
    }

    @Test
    void publishBeforeConnect_closesTheConnectionAndReleasesThePayload() {
        TestClient c = broker.newClient();

        c.send(c.publishPacket("a/b", QoS.AT_LEAST_ONCE, false, 1, "early"));

        assertThat(c.isClosed()).isTrue();
        c.expectNothing();
        broker.payloads().assertAllReleased();
    }

    @Test
    void secondConnect_closesTheConnection() {
        TestClient c = broker.connected("c1");

        c.send(TestClient.connectPacket("c1", true, null)); // MQTT-3.1.0-2

        assertThat(c.isClosed()).isTrue();
        c.expectNothing();
    }

    @Test
    void connAckFromClient_closesTheConnection() {
        TestClient c = broker.connected("c1");

        c.send(new ConnAck(false, 0, Properties.EMPTY));

        assertThat(c.isClosed()).isTrue();
    }

    @Test
    void subAckFromClient_closesTheConnection() {
        TestClient c = broker.connected("c1");

        c.send(new SubAck(1, List.of(0), Properties.EMPTY));

        assertThat(c.isClosed()).isTrue();
    }

    @Test
    void pingReq_isAnsweredWithPingResp() {
        TestClient c = broker.connected("c1");

        c.send(PingReq.INSTANCE);

        assertThat(c.take()).containsExactly(PingResp.INSTANCE);
        assertThat(c.connection().unflushedCount()).isZero();
    }

    @Test
    void disconnect_closesTheConnectionAndEndsACleanSession() {
        TestClient c = broker.connected("c1");

        c.disconnect();

        assertThat(c.isClosed()).isTrue();
        assertThat(broker.core().sessions().get("c1")).isNull();
    }

    @Test
    void packetsAfterDisconnectInTheSameRead_areIgnored() {
        TestClient c = broker.connected("c1");
        TestClient sub = broker.connected("sub");
        sub.subscribe("a/b", QoS.AT_MOST_ONCE);

        c.send(io.starling.mqtt.codec.Disconnect.NORMAL, c.publishPacket("a/b", QoS.AT_MOST_ONCE, false, 0, "late"),
                new Subscribe(1, List.of(new Subscription("x", SubscriptionOptions.of(QoS.AT_MOST_ONCE))),
                        Properties.EMPTY));

        assertThat(c.isClosed()).isTrue();
        c.expectNothing();
        sub.expectNothing(); // MQTT-3.14.4-2: nothing after DISCONNECT belongs to the session
    }
}
