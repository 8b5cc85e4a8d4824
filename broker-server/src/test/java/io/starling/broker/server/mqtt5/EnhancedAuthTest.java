package io.starling.broker.server.mqtt5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.Auth;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.ReasonCode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Enhanced authentication (MQTT 5 §4.12) on a broker that knows no authentication method: a CONNECT
 * naming one is refused with 0x8C, as Mosquitto does without an auth plugin, and an AUTH packet on a
 * connection that did not start an exchange is a protocol error.
 */
class EnhancedAuthTest {
    @RegisterExtension
    static final BrokerUnderTest broker = new BrokerUnderTest();

    @Test
    void unknownAuthenticationMethod_isRefusedWithBadAuthenticationMethod_seenByPaho() {
        try (Paho5Client client = new Paho5Client(broker.uri(), "auth-paho")) {
            MqttConnectionOptions options = Paho5Client.options();
            options.setAuthMethod("SCRAM-SHA-256");
            options.setAuthData("n,,n=user,r=nonce".getBytes(StandardCharsets.UTF_8));

            MqttException e = catchThrowableOfType(MqttException.class, () -> client.connect(options));

            assertThat(e).isNotNull();
            assertThat(e.getReasonCode()).isEqualTo(ReasonCode.BAD_AUTHENTICATION_METHOD);
            assertThat(client.isConnected()).isFalse();
        }
    }

    @Test
    void unknownAuthenticationMethod_isRefusedInConnAck_andTheConnectionClosed() {
        try (RawMqttClient raw = RawMqttClient.open(broker.port())) {
            Properties method = Properties.builder().text(PropertyId.AUTHENTICATION_METHOD, "GS2-KRB5").build();

            ConnAck ack = raw.connect(Raw5.connect("auth-raw", true, 60, method, null));

            assertThat(ack.reasonCode()).isEqualTo(ReasonCode.BAD_AUTHENTICATION_METHOD);
            assertThat(ack.sessionPresent()).isFalse();
            assertThat(raw.isClosedWithin(Duration.ofSeconds(2))).isTrue();
            assertThat(broker.core().sessions().get("auth-raw")).isNull();
        }
    }

    @Test
    void authPacketWithoutAnExchange_closesTheConnectionWithNothingSent() {
        try (RawMqttClient raw = Raw5.connected(broker.port(), "auth-stray")) {
            raw.send(new Auth(ReasonCode.RE_AUTHENTICATE,
                    Properties.builder().text(PropertyId.AUTHENTICATION_METHOD, "SCRAM-SHA-1").build()));

            // a protocol error (MQTT-4.12.0-5) that mosquitto 2.0.11 answers by closing, nothing sent
            org.junit.jupiter.api.Assertions.assertTrue(raw.isClosedWithin(java.time.Duration.ofSeconds(2)));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> raw.poll(java.time.Duration.ofMillis(1)))
                    .isInstanceOf(AssertionError.class);
        }
    }
}
