package io.starling.broker.server.mqtt5;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.PubAck;
import io.starling.mqtt.codec.PubRec;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.ReasonCode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The application properties of a PUBLISH (MQTT 5 §3.3.2.3): Response Topic, Correlation Data, User
 * Properties (order and repeats kept, MQTT-3.3.2-18), Content Type and Payload Format Indicator
 * reach subscribers unchanged (MQTT-3.3.2-20 and others); a payload that says it is UTF-8 but is not
 * is refused with 0x99.
 */
class PublishPropertiesTest {
    @RegisterExtension
    static final BrokerUnderTest broker = new BrokerUnderTest();

    private static final byte[] CORRELATION = {0, 1, (byte) 0xFE, (byte) 0xFF, 42};
    private static final List<UserProperty> USER_PROPERTIES = List.of(new UserProperty("b", "2"),
            new UserProperty("a", "1"), new UserProperty("b", "3"), new UserProperty("ünï", "cödé"));
    private static final String TEXT = "héllo wörld ✓";

    private static Mqtt5BlockingClient hivemq;

    @BeforeAll
    static void connectHiveMq() {
        hivemq = HiveMq5.connected(broker, "props-hivemq");
    }

    @AfterAll
    static void disconnectHiveMq() {
        HiveMq5.disconnectQuietly(hivemq);
    }

    @Test
    void propertiesFromPaho_reachAHiveMqSubscriberUnchanged() throws Exception {
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = hivemq.publishes(MqttGlobalPublishFilter.ALL);
             Paho5Client paho = Paho5Client.connected(broker, "props-paho-pub")) {
            hivemq.subscribeWith().topicFilter("props/to-hivemq").qos(MqttQos.AT_LEAST_ONCE).send();
            MqttProperties p = new MqttProperties();
            p.setResponseTopic("props/reply");
            p.setCorrelationData(CORRELATION);
            p.setUserProperties(USER_PROPERTIES);
            p.setContentType("text/plain; charset=utf-8");
            p.setPayloadFormat(true);

            paho.publish("props/to-hivemq", Paho5Client.message(TEXT, 1, p));

            Mqtt5Publish m = HiveMq5.receive(publishes);
            assertThat(HiveMq5.payload(m)).isEqualTo(TEXT);
            assertThat(m.getResponseTopic().map(Object::toString)).hasValue("props/reply");
            assertThat(m.getCorrelationData().map(PublishPropertiesTest::bytes)).hasValue(CORRELATION);
            assertThat(m.getUserProperties().asList()).extracting(u -> u.getName() + "=" + u.getValue())
                    .containsExactly("b=2", "a=1", "b=3", "ünï=cödé");
            assertThat(m.getContentType().map(Object::toString)).hasValue("text/plain; charset=utf-8");
            assertThat(m.getPayloadFormatIndicator()).hasValue(Mqtt5PayloadFormatIndicator.UTF_8);
        } finally {
            hivemq.unsubscribeWith().topicFilter("props/to-hivemq").send();
        }
    }

    @Test
    void propertiesFromHiveMq_reachAPahoSubscriberUnchanged() throws Exception {
        try (Paho5Client paho = Paho5Client.connected(broker, "props-paho-sub")) {
            paho.subscribe("props/to-paho", 2);

            hivemq.publishWith().topic("props/to-paho").qos(MqttQos.EXACTLY_ONCE)
                    .payload(TEXT.getBytes(StandardCharsets.UTF_8))
                    .responseTopic("props/answer").correlationData(CORRELATION)
                    .userProperties()
                    .add("b", "2").add("a", "1").add("b", "3").add("ünï", "cödé")
                    .applyUserProperties()
                    .contentType("application/json").payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8)
                    .send();

            Paho5Client.Received r = paho.receive();
            MqttProperties p = r.properties();
            assertThat(r.payload()).isEqualTo(TEXT);
            assertThat(r.message().getQos()).isEqualTo(2);
            assertThat(p.getResponseTopic()).isEqualTo("props/answer");
            assertThat(p.getCorrelationData()).isEqualTo(CORRELATION);
            assertThat(p.getUserProperties()).containsExactlyElementsOf(USER_PROPERTIES);
            assertThat(p.getContentType()).isEqualTo("application/json");
            assertThat(p.getPayloadFormat()).isTrue();
        }
    }

    @Test
    void requestAndResponse_carryTheCorrelationDataBack() throws Exception {
        try (Paho5Client requester = Paho5Client.connected(broker, "props-requester");
             Paho5Client responder = Paho5Client.connected(broker, "props-responder")) {
            requester.subscribe("props/responses/requester", 1);
            responder.subscribe("props/requests", 1);
            MqttProperties request = new MqttProperties();
            request.setResponseTopic("props/responses/requester");
            request.setCorrelationData("req-17".getBytes(StandardCharsets.UTF_8));

            requester.publish("props/requests", Paho5Client.message("what time is it?", 1, request));
            Paho5Client.Received got = responder.receive();
            MqttProperties response = new MqttProperties();
            response.setCorrelationData(got.properties().getCorrelationData());
            responder.publish(got.properties().getResponseTopic(), Paho5Client.message("noon", 1, response));

            Paho5Client.Received answer = requester.receive();
            assertThat(answer.topic()).isEqualTo("props/responses/requester");
            assertThat(answer.payload()).isEqualTo("noon");
            assertThat(answer.properties().getCorrelationData())
                    .isEqualTo("req-17".getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Mosquitto 2.0.11 passes the indicator on and checks nothing (measured): so does Starling. */
    @Test
    void payloadFormatUtf8WithInvalidUtf8_isAcknowledgedAndDeliveredWithTheIndicator() throws Exception {
        try (Paho5Client subscriber = Paho5Client.connected(broker, "props-pfi-sub");
             RawMqttClient raw = Raw5.connected(broker.port(), "props-pfi-pub")) {
            subscriber.subscribe("props/pfi", 1);
            Properties utf8 = Properties.builder().number(PropertyId.PAYLOAD_FORMAT_INDICATOR, 1).build();
            byte[] invalid = {'o', 'k', (byte) 0xC3, 0x28};

            raw.send(Raw5.publish("props/pfi", invalid, QoS.AT_LEAST_ONCE, 1, utf8));

            assertThat(raw.receive(PubAck.class).reasonCode()).isEqualTo(ReasonCode.SUCCESS);
            Paho5Client.Received got = subscriber.receive();
            assertThat(got.message().getPayload()).isEqualTo(invalid);
            assertThat(got.properties().getPayloadFormat()).isTrue();
        }
    }

    @Test
    void payloadFormatUtf8WithInvalidUtf8AtQos2_getsPubRec0() {
        try (RawMqttClient raw = Raw5.connected(broker.port(), "props-pfi-qos2")) {
            Properties utf8 = Properties.builder().number(PropertyId.PAYLOAD_FORMAT_INDICATOR, 1).build();

            raw.send(Raw5.publish("props/pfi2", new byte[] {(byte) 0xFF}, QoS.EXACTLY_ONCE, 1, utf8));

            assertThat(raw.receive(PubRec.class).reasonCode()).isLessThan(ReasonCode.UNSPECIFIED_ERROR);
        }
    }

    @Test
    void invalidUtf8WithoutPayloadFormatIndicator_isDeliveredAsBytes() throws Exception {
        try (Paho5Client subscriber = Paho5Client.connected(broker, "props-binary-sub");
             RawMqttClient raw = Raw5.connected(broker.port(), "props-binary-pub")) {
            subscriber.subscribe("props/binary", 1);
            byte[] binary = {(byte) 0xC3, 0x28, 0, (byte) 0xFF};

            raw.send(Raw5.publish("props/binary", binary, QoS.AT_LEAST_ONCE, 1, Properties.EMPTY));

            assertThat(raw.receive(PubAck.class).reasonCode()).isEqualTo(ReasonCode.SUCCESS);
            assertThat(subscriber.receive().message().getPayload()).isEqualTo(binary);
        }
    }

    @Test
    void pahoPublishingInvalidUtf8AsUtf8_seesNoErrorInItsToken() throws Exception {
        try (Paho5Client paho = Paho5Client.connected(broker, "props-pfi-paho")) {
            MqttProperties p = new MqttProperties();
            p.setPayloadFormat(true);
            MqttMessage m = new MqttMessage(new byte[] {(byte) 0xC3, 0x28}, 1, false, p);

            IMqttToken token = paho.publish("props/pfi-paho", m);

            assertThat(token.getReasonCodes()).containsExactly(ReasonCode.NO_MATCHING_SUBSCRIBERS);
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
