package io.starling.broker.server.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.ReasonCode;
import io.starling.mqtt.codec.SubAck;
import io.starling.mqtt.codec.Subscribe;
import io.starling.mqtt.codec.Subscription;
import io.starling.mqtt.codec.SubscriptionOptions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Topic filters and matching (3.1.1 §4.7, §3.8.4): wildcards, $ topics, invalid filters, overlaps. */
@Timeout(20)
class TopicMatchingTest {
    @RegisterExtension
    static final RunningBroker broker = new RunningBroker();

    @Test
    void overlappingSubscriptions_deliverOneMessageAtTheHighestGrantedQos() throws Exception {
        try (PahoClient sub = PahoClient.connected(broker, "match-overlap-sub");
             PahoClient pub = PahoClient.connected(broker, "match-overlap-pub")) {
            sub.subscribe("overlap/#", 0);
            sub.subscribe("overlap/+/x", 2);
            sub.subscribe("overlap/a/x", 1);

            pub.publish("overlap/a/x", "once", 2);

            PahoClient.Received m = sub.receive();
            assertThat(m.payload()).isEqualTo("once");
            assertThat(m.qos()).isEqualTo(2); // MQTT-3.3.5-1
            assertThat(sub.poll(Duration.ofMillis(300))).as("a second delivery").isEmpty();
        }
    }

    @Test
    void dollarTopic_isNotMatchedByMultiLevelWildcard() throws Exception {
        try (PahoClient all = PahoClient.connected(broker, "match-sys-all");
             PahoClient sys = PahoClient.connected(broker, "match-sys-sys");
             PahoClient pub = PahoClient.connected(broker, "match-sys-pub")) {
            all.subscribe("#", 1);
            all.subscribe("+/test", 1);
            sys.subscribe("$internal/test", 1); // clients may not publish under $SYS: another $ topic

            pub.publish("$internal/test", "system", 1);
            pub.publish("sysmark/test", "marker", 1);

            assertThat(sys.receive().payload()).as("the $ message was routed").isEqualTo("system");
            PahoClient.Received first = all.receive();
            assertThat(first.topic()).isEqualTo("sysmark/test"); // MQTT-4.7.2-1
            assertThat(all.poll(Duration.ofMillis(200))).isEmpty();
        }
    }

    @Test
    void singleLevelWildcard_matchesExactlyOneLevel() throws Exception {
        try (PahoClient sub = PahoClient.connected(broker, "match-plus-sub");
             PahoClient pub = PahoClient.connected(broker, "match-plus-pub")) {
            sub.subscribe("plus/+/end", 1);

            pub.publish("plus/end", "zero levels", 1);
            pub.publish("plus/a/b/end", "two levels", 1);
            pub.publish("plus//end", "one empty level", 1);
            pub.publish("plus/a/end", "one level", 1);

            assertThat(sub.receive().payload()).isEqualTo("one empty level");
            assertThat(sub.receive().payload()).isEqualTo("one level");
            assertThat(sub.poll(Duration.ofMillis(200))).isEmpty();
        }
    }

    /** An invalid filter makes the SUBSCRIBE malformed: a 3.1.1 client is disconnected, as by mosquitto 2.0.11. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"a/#/b", "a+", "#a", "a/b#", "+a/b"})
    void invalidFilter_closesTheConnectionWithoutSubAck(String filter) {
        try (RawMqttClient c = RawMqttClient.open(broker.port())) {
            c.connect("match-invalid", true, 60);

            c.send(new Subscribe(5, List.of(new Subscription(filter, SubscriptionOptions.of(QoS.AT_LEAST_ONCE))),
                    Properties.EMPTY));

            // a malformed SUBSCRIBE, as mosquitto 2.0.11 treats it: closed, no SUBACK failure code
            assertThat(c.isClosedWithin(Duration.ofSeconds(2))).isTrue();
            assertThatThrownBy(() -> c.poll(Duration.ofMillis(1))).as("nothing sent").isInstanceOf(AssertionError.class);
        }
    }

    @Test
    void subscribeWithValidAndInvalidFilters_closesTheConnection() {
        try (RawMqttClient c = RawMqttClient.open(broker.port())) {
            c.connect("match-mixed", true, 60);

            c.send(new Subscribe(9, List.of(
                    new Subscription("mixed/ok", SubscriptionOptions.of(QoS.EXACTLY_ONCE)),
                    new Subscription("mixed/#/bad", SubscriptionOptions.of(QoS.AT_LEAST_ONCE)),
                    new Subscription("mixed/+", SubscriptionOptions.of(QoS.AT_LEAST_ONCE))), Properties.EMPTY));

            assertThat(c.isClosedWithin(Duration.ofSeconds(2))).isTrue();
        }
    }

    @Test
    void filterWith10000Levels_isRefusedAndTheBrokerStaysUp() {
        try (RawMqttClient c = RawMqttClient.open(broker.port())) {
            c.connect("match-deep", true, 60);

            c.send(new Subscribe(1, List.of(new Subscription("a/".repeat(9_999) + "#",
                    SubscriptionOptions.of(QoS.AT_MOST_ONCE))), Properties.EMPTY));

            assertThat(c.isClosedWithin(Duration.ofSeconds(2))).isTrue(); // over 200 '/': malformed
        }
        try (RawMqttClient other = RawMqttClient.open(broker.port())) {
            other.connect("match-deep-after", true, 60);
            other.ping();
        }
    }
}
