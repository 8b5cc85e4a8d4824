package io.starling.broker.core.protocol.v5;

import static io.starling.broker.core.protocol.v5.Mqtt5.number;
import static io.starling.broker.core.protocol.v5.Mqtt5.props;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.Property;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * 3.1.1 and 5.0 clients on one broker: a message crosses between versions with what the receiving
 * version can carry. A 3.1.1 subscriber gets no properties; a 5.0 subscriber gets the publisher's
 * properties as published (user properties in order, duplicates kept, MQTT-3.3.2-17/18), or none
 * from a 3.1.1 publisher.
 */
class MixedVersionTest {
    private static final Properties REQUEST = props(
            new Property.UserProperty("trace", "1"),
            Mqtt5.text(PropertyId.CONTENT_TYPE, "application/json"),
            new Property.UserProperty("region", "eu"),
            Mqtt5.text(PropertyId.RESPONSE_TOPIC, "replies/c"),
            new Property.Binary(PropertyId.CORRELATION_DATA, new byte[] {1, 2, 3, 0, (byte) 0xFF}),
            new Property.UserProperty("trace", "2"),
            number(PropertyId.PAYLOAD_FORMAT_INDICATOR, 1));

    private final TestBroker broker = TestBroker.start();

    @AfterEach
    void tearDown() {
        broker.close();
    }

    private TestClient subscriber311(String clientId) {
        TestClient c = broker.connected(clientId);
        c.subscribe("a/#", QoS.AT_LEAST_ONCE);
        return c;
    }

    private TestClient subscriber5(String clientId) {
        TestClient c = Mqtt5.connected(broker, clientId);
        c.subscribe("a/#", QoS.AT_LEAST_ONCE);
        return c;
    }

    @Test
    void mqtt311Subscriber_getsA5PublishersMessageWithoutProperties() {
        TestClient legacy = subscriber311("legacy");
        TestClient pub = Mqtt5.connected(broker, "pub");

        Mqtt5.publish(broker, pub, "a/b", QoS.AT_LEAST_ONCE,
                props(number(PropertyId.MESSAGE_EXPIRY_INTERVAL, 60), new Property.UserProperty("k", "v")), "hello");

        List<Publish> got = legacy.takePublishes();
        assertThat(got).hasSize(1);
        assertThat(Mqtt5.text(got.get(0))).isEqualTo("hello");
        assertThat(got.get(0).properties().isEmpty()).isTrue();
        legacy.ack(got.get(0));
    }

    @Test
    void mqtt5Subscriber_getsA311PublishersMessageWithEmptyProperties() {
        TestClient modern = subscriber5("modern");
        TestClient legacy = broker.connected("legacy");

        legacy.publish("a/b", QoS.AT_LEAST_ONCE, "from 3.1.1");

        List<Publish> got = modern.takePublishes();
        assertThat(got).hasSize(1);
        assertThat(Mqtt5.text(got.get(0))).isEqualTo("from 3.1.1");
        assertThat(got.get(0).properties().isEmpty()).isTrue();
    }

    @Test
    void requestResponseAndUserProperties_passUnchangedBetween5Clients() {
        TestClient modern = subscriber5("modern");
        TestClient pub = Mqtt5.connected(broker, "pub");

        Mqtt5.publish(broker, pub, "a/b", QoS.AT_LEAST_ONCE, REQUEST, "{}");

        List<Publish> got = modern.takePublishes();
        assertThat(got).hasSize(1);
        assertThat(got.get(0).properties().asList()).containsExactlyElementsOf(REQUEST.asList());
    }

    @Test
    void sameMessage_reachesEachVersionInItsOwnForm() {
        TestClient legacy = subscriber311("legacy");
        TestClient modern = subscriber5("modern");
        TestClient pub = Mqtt5.connected(broker, "pub");

        Mqtt5.publish(broker, pub, "a/b", QoS.AT_MOST_ONCE, REQUEST, "{}");

        assertThat(legacy.takePublishes()).extracting(p -> p.properties().isEmpty()).containsExactly(true);
        assertThat(modern.takePublishes()).extracting(p -> p.properties().asList())
                .containsExactly(REQUEST.asList());
    }

    @Test
    void retainedMessageFromA5Publisher_keepsItsPropertiesFor5AndDropsThemFor311() {
        TestClient pub = Mqtt5.connected(broker, "pub");
        pub.send(Mqtt5.publish(broker, "a/b", QoS.AT_MOST_ONCE, true, 0, REQUEST, "stored"));

        TestClient modern = subscriber5("modern");
        TestClient legacy = subscriber311("legacy");

        List<Publish> toModern = modern.takePublishes();
        assertThat(toModern).hasSize(1);
        assertThat(toModern.get(0).retain()).isTrue();
        assertThat(toModern.get(0).properties().asList()).containsExactlyElementsOf(REQUEST.asList());
        List<Publish> toLegacy = legacy.takePublishes();
        assertThat(toLegacy).hasSize(1);
        assertThat(toLegacy.get(0).properties().isEmpty()).isTrue();
    }

    @Test
    void willOfA5Client_reachesA311SubscriberWithoutProperties() {
        TestClient legacy = broker.connected("legacy");
        legacy.subscribe("will/#", QoS.AT_MOST_ONCE);
        TestClient c = Mqtt5.connected(broker, Mqtt5.connect("c", true, 60, Mqtt5.will("will/c", "gone",
                QoS.AT_MOST_ONCE, props(Mqtt5.text(PropertyId.CONTENT_TYPE, "text/plain"))), Properties.EMPTY));

        c.dropConnection();

        List<Publish> got = legacy.takePublishes();
        assertThat(got).hasSize(1);
        assertThat(got.get(0).payload().toString(StandardCharsets.UTF_8)).isEqualTo("gone");
        assertThat(got.get(0).properties().isEmpty()).isTrue();
    }
}
