package io.starling.broker.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.auth.EnhancedAuthenticator;
import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.mqtt.codec.Auth;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.Disconnect;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.ReasonCode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** MQTT 5 enhanced authentication (§4.12) through a pluggable method. */
class EnhancedAuthTest {
    /** A toy challenge/response method: the broker says "nonce", the client must answer "nonce:ok". */
    private static final EnhancedAuthenticator CHALLENGE = new EnhancedAuthenticator() {
        @Override
        public String method() {
            return "CHALLENGE";
        }

        @Override
        public Exchange begin(String clientId, String username) {
            return new Exchange() {
                private boolean challenged;

                @Override
                public Step respond(byte[] clientData) {
                    if (!challenged) {
                        challenged = true;
                        return new Continue(bytes("nonce"));
                    }
                    return "nonce:ok".equals(text(clientData)) ? new Success(bytes("welcome")) : new Failure("wrong answer");
                }
            };
        }
    };

    private TestBroker broker;

    @AfterEach
    void tearDown() {
        broker.close();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    private static Connect connectWithMethod(String method) {
        return new Connect(MqttVersion.MQTT_5, "c1", true, 60, null, null, null,
                Properties.builder().text(PropertyId.AUTHENTICATION_METHOD, method).build());
    }

    private static Auth auth(int reason, String data) {
        return new Auth(reason, Properties.builder().text(PropertyId.AUTHENTICATION_METHOD, "CHALLENGE")
                .binary(PropertyId.AUTHENTICATION_DATA, bytes(data)).build());
    }

    @Test
    void unknownMethod_isRefusedWithBadAuthenticationMethod() {
        broker = TestBroker.start(CHALLENGE);
        TestClient c = broker.newClient();

        ConnAck ack = c.connect(connectWithMethod("KERBEROS"));

        assertThat(ack.reasonCode()).isEqualTo(ReasonCode.BAD_AUTHENTICATION_METHOD);
        assertThat(c.isClosed()).isTrue();
    }

    @Test
    void challengeAnsweredRightly_connectsWithMethodAndDataInConnAck() {
        broker = TestBroker.start(CHALLENGE);
        TestClient c = broker.newClient();

        c.send(connectWithMethod("CHALLENGE"));
        Auth challenge = c.expect(Auth.class);
        c.send(auth(ReasonCode.CONTINUE_AUTHENTICATION, "nonce:ok"));
        ConnAck ack = c.expect(ConnAck.class);

        assertThat(challenge.reasonCode()).isEqualTo(ReasonCode.CONTINUE_AUTHENTICATION);
        assertThat(text(challenge.properties().binary(PropertyId.AUTHENTICATION_DATA))).isEqualTo("nonce");
        assertThat(ack.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        assertThat(ack.properties().text(PropertyId.AUTHENTICATION_METHOD)).isEqualTo("CHALLENGE");
        assertThat(text(ack.properties().binary(PropertyId.AUTHENTICATION_DATA))).isEqualTo("welcome");
        assertThat(c.isClosed()).isFalse();
    }

    @Test
    void challengeAnsweredWrongly_isRefusedAsNotAuthorized() {
        broker = TestBroker.start(CHALLENGE);
        TestClient c = broker.newClient();

        c.send(connectWithMethod("CHALLENGE"));
        c.expect(Auth.class);
        c.send(auth(ReasonCode.CONTINUE_AUTHENTICATION, "guess"));
        ConnAck ack = c.expect(ConnAck.class);

        assertThat(ack.reasonCode()).isEqualTo(ReasonCode.NOT_AUTHORIZED);
        assertThat(c.isClosed()).isTrue();
        assertThat(broker.core().sessions().size()).isZero();
    }

    @Test
    void otherPacketDuringAuthentication_closesTheConnection() {
        broker = TestBroker.start(CHALLENGE);
        TestClient c = broker.newClient();

        c.send(connectWithMethod("CHALLENGE"));
        c.expect(Auth.class);
        c.send(io.starling.mqtt.codec.PingReq.INSTANCE);

        assertThat(c.isClosed()).isTrue();
    }

    @Test
    void reAuthentication_endsWithAuthSuccess() {
        broker = TestBroker.start(CHALLENGE);
        TestClient c = broker.newClient();
        c.send(connectWithMethod("CHALLENGE"));
        c.expect(Auth.class);
        c.send(auth(ReasonCode.CONTINUE_AUTHENTICATION, "nonce:ok"));
        c.expect(ConnAck.class);

        c.send(auth(ReasonCode.RE_AUTHENTICATE, "again"));
        Auth challenge = c.expect(Auth.class);
        c.send(auth(ReasonCode.CONTINUE_AUTHENTICATION, "nonce:ok"));
        Auth done = c.expect(Auth.class);

        assertThat(challenge.reasonCode()).isEqualTo(ReasonCode.CONTINUE_AUTHENTICATION);
        assertThat(done.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        assertThat(c.isClosed()).isFalse();
    }

    @Test
    void failedReAuthentication_disconnectsWithNotAuthorized() {
        broker = TestBroker.start(CHALLENGE);
        TestClient c = broker.newClient();
        c.send(connectWithMethod("CHALLENGE"));
        c.expect(Auth.class);
        c.send(auth(ReasonCode.CONTINUE_AUTHENTICATION, "nonce:ok"));
        c.expect(ConnAck.class);

        c.send(auth(ReasonCode.RE_AUTHENTICATE, "again"));
        c.expect(Auth.class);
        c.send(auth(ReasonCode.CONTINUE_AUTHENTICATION, "guess"));

        assertThat(c.expect(Disconnect.class).reasonCode()).isEqualTo(ReasonCode.NOT_AUTHORIZED);
        assertThat(c.isClosed()).isTrue();
    }

    @Test
    void authWithoutAnyMethodOnTheConnection_closesItWithNothingSent() {
        broker = TestBroker.start(CHALLENGE);
        TestClient c = broker.newClient();
        c.connect(new Connect(MqttVersion.MQTT_5, "c1", true, 60, null, null, null, Properties.EMPTY));

        c.send(auth(ReasonCode.RE_AUTHENTICATE, "x"));

        assertThat(c.take()).isEmpty(); // as mosquitto 2.0.11: no DISCONNECT
        assertThat(c.isClosed()).isTrue();
    }
}
