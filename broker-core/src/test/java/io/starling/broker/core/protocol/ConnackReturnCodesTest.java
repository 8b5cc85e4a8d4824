package io.starling.broker.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.auth.Authenticator;
import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.ReasonCode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * CONNACK refusals that come from credentials and broker state: 0x03 server unavailable, 0x04 bad
 * user name or password, 0x05 not authorized (3.1.1 §3.2.2.3), and their 5.0 reason codes.
 * (0x01 and 0x02 are covered in {@link ConnectHandlerTest}.)
 */
class ConnackReturnCodesTest {
    private TestBroker broker;

    @AfterEach
    void tearDown() {
        broker.close();
    }

    private static Connect connect(MqttVersion version, String username, String password) {
        return new Connect(version, "c1", true, 60, username,
                password == null ? null : password.getBytes(StandardCharsets.UTF_8), null, Properties.EMPTY);
    }

    /** Accepts only user "alice" with password "secret". */
    private static final Authenticator ALICE_ONLY = (clientId, username, password) -> {
        if (username == null) {
            return Authenticator.Decision.NOT_AUTHORIZED;
        }
        boolean ok = username.equals("alice") && password != null
                && new String(password, StandardCharsets.UTF_8).equals("secret");
        return ok ? Authenticator.Decision.ALLOW : Authenticator.Decision.BAD_USERNAME_OR_PASSWORD;
    };

    @Test
    void wrongPassword_isRefusedWithBadUserNameOrPassword() {
        broker = TestBroker.start(ALICE_ONLY);
        TestClient c = broker.newClient();

        ConnAck ack = c.connect(connect(MqttVersion.MQTT_3_1_1, "alice", "wrong"));

        assertThat(ack.reasonCode()).isEqualTo(ReasonCode.V3_BAD_USER_NAME_OR_PASSWORD);
        assertThat(ack.sessionPresent()).isFalse();
        assertThat(c.isClosed()).isTrue();
    }

    @Test
    void rightPassword_isAccepted() {
        broker = TestBroker.start(ALICE_ONLY);
        TestClient c = broker.newClient();

        ConnAck ack = c.connect(connect(MqttVersion.MQTT_3_1_1, "alice", "secret"));

        assertThat(ack.reasonCode()).isEqualTo(ReasonCode.V3_ACCEPTED);
        assertThat(c.isClosed()).isFalse();
    }

    @Test
    void withoutAnonymousAccessOrPasswordFile_everyClientIsRefusedAsNotAuthorized() {
        broker = TestBroker.start(Authenticator.anonymous(false));
        TestClient anonymous = broker.newClient();
        TestClient named = broker.newClient();

        ConnAck refused = anonymous.connect(connect(MqttVersion.MQTT_3_1_1, null, null));
        // Nothing to check the user name against: mosquitto 2.0 refuses it too (fail closed).
        ConnAck alsoRefused = named.connect(new Connect(MqttVersion.MQTT_3_1_1, "c2", true, 60, "bob",
                "any".getBytes(StandardCharsets.UTF_8), null, Properties.EMPTY));

        assertThat(refused.reasonCode()).isEqualTo(ReasonCode.V3_NOT_AUTHORIZED);
        assertThat(anonymous.isClosed()).isTrue();
        assertThat(alsoRefused.reasonCode()).isEqualTo(ReasonCode.V3_NOT_AUTHORIZED);
        assertThat(named.isClosed()).isTrue();
    }

    @Test
    void connectDuringShutdown_isRefusedAsServerUnavailable() {
        broker = TestBroker.start();
        broker.core().beginShutdown();
        TestClient c = broker.newClient();

        ConnAck ack = c.connect(connect(MqttVersion.MQTT_3_1_1, null, null));

        assertThat(ack.reasonCode()).isEqualTo(ReasonCode.V3_SERVER_UNAVAILABLE);
        assertThat(c.isClosed()).isTrue();
    }

    @Test
    void mqtt5Refusals_useTheVersion5ReasonCodes() {
        broker = TestBroker.start(ALICE_ONLY);

        ConnAck bad = broker.newClient().connect(connect(MqttVersion.MQTT_5, "alice", "wrong"));
        ConnAck anonymous = broker.newClient().connect(connect(MqttVersion.MQTT_5, null, null));

        assertThat(bad.reasonCode()).isEqualTo(ReasonCode.BAD_USER_NAME_OR_PASSWORD);
        assertThat(anonymous.reasonCode()).isEqualTo(ReasonCode.NOT_AUTHORIZED);
    }

    @Test
    void refusedClient_leavesNoSessionBehind() {
        broker = TestBroker.start(ALICE_ONLY);

        broker.newClient().connect(connect(MqttVersion.MQTT_3_1_1, "alice", "wrong"));

        assertThat(broker.core().sessions().size()).isZero();
    }
}
