package io.starling.broker.server.mqtt5;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.Will;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The will of an MQTT 5 client (§3.1.2.5, §3.1.3.2): its Will Delay Interval (also with Session Expiry
 * 0), a connection for the client id within the delay that cancels it (resuming the session or not,
 * as mosquitto), a session that ends first, and DISCONNECT with reason 0x04 that asks for it.
 */
class WillDelayTest {
    @RegisterExtension
    static final BrokerUnderTest broker = new BrokerUnderTest();

    private static Mqtt5BlockingClient watcher;
    private static Mqtt5BlockingClient.Mqtt5Publishes wills;

    @BeforeAll
    static void watchWills() {
        watcher = HiveMq5.client(broker, "will-watcher");
        wills = watcher.publishes(MqttGlobalPublishFilter.ALL);
        watcher.connect();
        watcher.subscribeWith().topicFilter("will/#").qos(MqttQos.AT_LEAST_ONCE).send();
    }

    @AfterAll
    static void stopWatching() {
        wills.close();
        HiveMq5.disconnectQuietly(watcher);
    }

    @BeforeEach
    void noWillFromAnEarlierTest() throws InterruptedException {
        assertThat(HiveMq5.poll(wills, Duration.ZERO)).isEmpty();
    }

    @Test
    void delayedWill_isPublishedAfterTheDelay_whenTheClientVanishes() throws Exception {
        try (Paho5Client client = new Paho5Client(broker.uri(), "will-delayed")) {
            client.connect(withDelayedWill(Paho5Client.options(true, 10), "will/delayed", 1));

            client.vanish();
            long vanishedAt = System.nanoTime();

            Mqtt5Publish will = HiveMq5.receive(wills);
            long delayMillis = (System.nanoTime() - vanishedAt) / 1_000_000;
            assertThat(will.getTopic().toString()).isEqualTo("will/delayed");
            assertThat(HiveMq5.payload(will)).isEqualTo("gone");
            assertThat(delayMillis).as("published after its 1 s delay").isBetween(900L, 2500L);
        } finally {
            endSession("will-delayed");
        }
    }

    @Test
    void delayedWill_isNotPublished_whenTheClientResumesItsSessionInTime() throws Exception {
        try (RawMqttClient raw = Raw5.connected(broker.port(), Raw5.connect("will-resumed", true, 60,
                expiry(10), will("will/resumed", 1)))) {
            raw.close(); // no DISCONNECT: the will is due in 1 s
        }
        try (Paho5Client again = new Paho5Client(broker.uri(), "will-resumed")) {
            assertThat(again.connect(Paho5Client.options(false, 10)).getSessionPresent()).isTrue();

            assertThat(HiveMq5.poll(wills, Duration.ofMillis(1600))).as("the resumed session cancels the will")
                    .isEmpty();
        } finally {
            endSession("will-resumed");
        }
    }

    @Test
    void delayedWill_isDiscarded_whenANewConnectionStartsAFreshSessionInTime() throws Exception {
        try (RawMqttClient raw = Raw5.connected(broker.port(), Raw5.connect("will-fresh", true, 60,
                expiry(10), will("will/fresh", 1)))) {
            raw.close();
        }
        try (Paho5Client again = new Paho5Client(broker.uri(), "will-fresh")) {
            again.connect(Paho5Client.options(true, 0)); // back in time, though without the session: as mosquitto

            assertThat(HiveMq5.poll(wills, Duration.ofMillis(1600))).isEmpty();
        }
    }

    @Test
    void delayedWill_isPublishedWhenTheSessionExpiresFirst() throws Exception {
        try (RawMqttClient raw = Raw5.connected(broker.port(), Raw5.connect("will-expiry-first", true, 60,
                expiry(1), will("will/expiry-first", 30)))) {
            raw.close();
            long closedAt = System.nanoTime();

            Mqtt5Publish will = HiveMq5.receive(wills);

            assertThat(will.getTopic().toString()).isEqualTo("will/expiry-first");
            assertThat((System.nanoTime() - closedAt) / 1_000_000).as("at the 1 s session expiry, not the 30 s delay")
                    .isBetween(900L, 2500L);
        }
    }

    @Test
    void delayedWill_withSessionExpiryZero_stillWaitsForTheDelay() throws Exception {
        try (RawMqttClient raw = Raw5.connected(broker.port(), Raw5.connect("will-expiry-zero", true, 60,
                Properties.EMPTY, will("will/expiry-zero", 1)))) {
            raw.close();
            long closedAt = System.nanoTime();

            Mqtt5Publish will = HiveMq5.receive(wills);

            assertThat(will.getTopic().toString()).isEqualTo("will/expiry-zero");
            assertThat((System.nanoTime() - closedAt) / 1_000_000).as("after its 1 s delay, as mosquitto")
                    .isBetween(900L, 2500L);
        }
    }

    @Test
    void delayedWill_isDiscarded_whenATakeoverStartsClean() throws Exception {
        try (Paho5Client first = new Paho5Client(broker.uri(), "will-takeover-fresh");
             Paho5Client second = new Paho5Client(broker.uri(), "will-takeover-fresh")) {
            first.connect(withDelayedWill(Paho5Client.options(true, 60), "will/takeover-fresh", 1));

            second.connect(Paho5Client.options(true, 0));

            assertThat(HiveMq5.poll(wills, Duration.ofMillis(1600))).isEmpty();
        }
    }

    @Test
    void delayedWill_ofASessionWithoutExpiry_isDiscarded_whenTakenOver() throws Exception {
        try (Paho5Client first = new Paho5Client(broker.uri(), "will-takeover-noexpiry");
             Paho5Client second = new Paho5Client(broker.uri(), "will-takeover-noexpiry")) {
            first.connect(withDelayedWill(Paho5Client.options(true, 0), "will/takeover-noexpiry", 1));

            assertThat(second.connect(Paho5Client.options(false, 0)).getSessionPresent()).isFalse();

            assertThat(HiveMq5.poll(wills, Duration.ofMillis(1600))).isEmpty();
        }
    }

    @Test
    void delayedWill_isNotPublished_whenATakeoverResumesTheSession() throws Exception {
        try (Paho5Client first = new Paho5Client(broker.uri(), "will-takeover-resume");
             Paho5Client second = new Paho5Client(broker.uri(), "will-takeover-resume")) {
            first.connect(withDelayedWill(Paho5Client.options(true, 60), "will/takeover-resume", 1));

            assertThat(second.connect(Paho5Client.options(false, 60)).getSessionPresent()).isTrue();

            assertThat(HiveMq5.poll(wills, Duration.ofMillis(1500))).as("the session goes on").isEmpty();
        } finally {
            endSession("will-takeover-resume");
        }
    }

    @Test
    void disconnectWithWillMessage_publishesTheWill() throws Exception {
        try (Paho5Client client = new Paho5Client(broker.uri(), "will-0x04")) {
            MqttConnectionOptions options = Paho5Client.options();
            MqttProperties willProperties = new MqttProperties();
            willProperties.setUserProperties(List.of(new UserProperty("reason", "asked")));
            options.setWillMessageProperties(willProperties);
            options.setWill("will/asked", Paho5Client.message("bye", 1));
            client.connect(options);

            client.disconnect(0x04, new MqttProperties());

            Mqtt5Publish will = HiveMq5.receive(wills);
            assertThat(will.getTopic().toString()).isEqualTo("will/asked");
            assertThat(HiveMq5.payload(will)).isEqualTo("bye");
            assertThat(will.getUserProperties().asList()).extracting(u -> u.getName() + "=" + u.getValue())
                    .containsExactly("reason=asked");
        }
    }

    @Test
    void normalDisconnect_discardsTheWill() throws Exception {
        try (Paho5Client client = new Paho5Client(broker.uri(), "will-normal")) {
            MqttConnectionOptions options = Paho5Client.options();
            options.setWill("will/normal", Paho5Client.message("should not appear", 1));
            client.connect(options);

            client.disconnect();

            assertThat(HiveMq5.poll(wills, Duration.ofMillis(500))).isEmpty();
        }
    }

    private static MqttConnectionOptions withDelayedWill(MqttConnectionOptions options, String topic, long delay) {
        MqttProperties willProperties = new MqttProperties();
        willProperties.setWillDelayInterval(delay);
        options.setWillMessageProperties(willProperties);
        options.setWill(topic, Paho5Client.message("gone", 1));
        return options;
    }

    private static Properties expiry(long seconds) {
        return Properties.builder().number(PropertyId.SESSION_EXPIRY_INTERVAL, seconds).build();
    }

    private static Will will(String topic, long delaySeconds) {
        return new Will(topic, "gone".getBytes(StandardCharsets.UTF_8), QoS.AT_LEAST_ONCE, false,
                Properties.builder().number(PropertyId.WILL_DELAY_INTERVAL, delaySeconds).build());
    }

    private static void endSession(String clientId) {
        try (RawMqttClient raw = Raw5.connected(broker.port(), clientId)) {
            raw.disconnect();
        }
    }
}
