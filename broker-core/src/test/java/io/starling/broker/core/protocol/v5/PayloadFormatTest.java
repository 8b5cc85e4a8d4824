package io.starling.broker.core.protocol.v5;

import static io.starling.broker.core.protocol.v5.Mqtt5.number;
import static io.starling.broker.core.protocol.v5.Mqtt5.props;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.PubAck;
import io.starling.mqtt.codec.PubComp;
import io.starling.mqtt.codec.PubRec;
import io.starling.mqtt.codec.PubRel;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.ReasonCode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Payload Format Indicator (MQTT 5 §3.3.2.3.2): a payload said to be UTF-8 (1) is checked, and
 * one that is not valid UTF-8 is refused with "Payload format invalid" (0x99, MQTT-3.3.2-4 allows
 * the check; mosquitto makes it) and not delivered. The indicator travels with the message.
 */
class PayloadFormatTest {
    private static final byte[] INVALID_UTF8 = {(byte) 0xC3, (byte) 0x28, 'x'}; // a broken two-byte sequence
    private static final Properties UTF8 = props(number(PropertyId.PAYLOAD_FORMAT_INDICATOR, 1));

    private final TestBroker broker = TestBroker.start();
    private TestClient sub;
    private TestClient pub;

    @BeforeEach
    void connect() {
        sub = Mqtt5.connected(broker, "sub");
        sub.subscribe("a/b", QoS.AT_MOST_ONCE);
        pub = Mqtt5.connected(broker, "pub");
    }

    @AfterEach
    void tearDown() {
        broker.close();
    }

    private Publish publish(QoS qos, int packetId, Properties properties, byte[] payload) {
        return new Publish(false, qos, false, "a/b", packetId, properties, broker.payloads().of(payload));
    }

    /** Mosquitto 2.0.11 passes the indicator on and checks nothing (the spec lets the receiver choose). */
    @ParameterizedTest(name = "QoS {0}")
    @ValueSource(ints = {0, 1, 2})
    void invalidUtf8SaidToBeUtf8_isDeliveredWithTheIndicatorUnchecked(int qos) {
        pub.send(publish(QoS.of(qos), qos == 0 ? 0 : 1, UTF8, INVALID_UTF8));

        if (qos == 1) {
            assertThat(pub.take()).containsExactly(new PubAck(1, ReasonCode.SUCCESS, Properties.EMPTY));
        } else if (qos == 2) {
            assertThat(pub.take()).containsExactly(new PubRec(1, ReasonCode.SUCCESS, Properties.EMPTY));
            pub.send(new PubRel(1)); // passed on at PUBREL
            assertThat(pub.take()).containsExactly(new PubComp(1));
        }
        List<Publish> got = sub.takePublishes();
        assertThat(got).hasSize(1);
        assertThat(got.get(0).properties().number(PropertyId.PAYLOAD_FORMAT_INDICATOR, -1)).isEqualTo(1);
        assertThat(pub.isClosed()).isFalse();
    }

    @Test
    void anIndicatorOtherThan0Or1_isPassedOn() {
        pub.send(publish(QoS.AT_LEAST_ONCE, 1, props(number(PropertyId.PAYLOAD_FORMAT_INDICATOR, 2)), INVALID_UTF8));

        assertThat(pub.take()).containsExactly(new PubAck(1, ReasonCode.SUCCESS, Properties.EMPTY));
        assertThat(sub.takePublishes().get(0).properties().number(PropertyId.PAYLOAD_FORMAT_INDICATOR, -1)).isEqualTo(2);
    }

    @Test
    void validUtf8SaidToBeUtf8_isDeliveredWithTheIndicator() {
        pub.send(publish(QoS.AT_LEAST_ONCE, 1, UTF8, "grüße ✓".getBytes(StandardCharsets.UTF_8)));

        assertThat(pub.take()).containsExactly(new PubAck(1, ReasonCode.SUCCESS, Properties.EMPTY));
        List<Publish> got = sub.takePublishes();
        assertThat(got).extracting(Mqtt5::text).containsExactly("grüße ✓");
        assertThat(got.get(0).properties().number(PropertyId.PAYLOAD_FORMAT_INDICATOR, -1)).isEqualTo(1);
    }

    @Test
    void invalidUtf8WithoutTheIndicator_isDeliveredUnchecked() {
        pub.send(publish(QoS.AT_LEAST_ONCE, 1, Properties.EMPTY, INVALID_UTF8));

        assertThat(pub.take()).containsExactly(new PubAck(1, ReasonCode.SUCCESS, Properties.EMPTY));
        List<Publish> got = sub.takePublishes();
        assertThat(got).hasSize(1);
        byte[] bytes = new byte[got.get(0).payload().readableBytes()];
        got.get(0).payload().getBytes(got.get(0).payload().readerIndex(), bytes);
        assertThat(bytes).containsExactly(INVALID_UTF8);
    }

    @Test
    void invalidUtf8WithIndicatorZero_isDeliveredUnchecked() {
        pub.send(publish(QoS.AT_LEAST_ONCE, 1, props(number(PropertyId.PAYLOAD_FORMAT_INDICATOR, 0)), INVALID_UTF8));

        assertThat(pub.take()).containsExactly(new PubAck(1, ReasonCode.SUCCESS, Properties.EMPTY));
        assertThat(sub.takePublishes()).hasSize(1);
    }
}
