package io.starling.broker.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.auth.Authenticator;
import io.starling.broker.core.auth.Authorizer;
import io.starling.broker.core.auth.ClientIdentity;
import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.Disconnect;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Packet;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PubAck;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.ReasonCode;
import io.starling.mqtt.codec.UnsubAck;
import io.starling.mqtt.codec.Unsubscribe;
import io.starling.mqtt.codec.Will;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The core's seams for run-time security (issue 19): {@code $CONTROL/} requests, the unsubscribe ACL and
 * the administrative disconnect, each as mosquitto 2.0.11 does them.
 */
class ControlTopicsTest {
    private final TestBroker broker = TestBroker.start();

    @AfterEach
    void tearDown() {
        broker.close();
    }

    private TestClient v5(String clientId, Will will) {
        TestClient c = broker.newClient();
        c.connect(new Connect(MqttVersion.MQTT_5, clientId, true, 60, "user-" + clientId, null, will, Properties.EMPTY));
        return c;
    }

    @Test
    void publishToAControlTopicWithoutHandler_isAcknowledgedAndReachesNoSubscriber() {
        TestClient watcher = broker.connected("watcher");
        watcher.subscribe("$CONTROL/#", QoS.AT_MOST_ONCE);
        TestClient sender = broker.connected("sender");

        sender.publish("$CONTROL/anything", QoS.AT_LEAST_ONCE, "request");

        assertThat(sender.take()).singleElement().isInstanceOf(PubAck.class);
        watcher.expectNothing();
    }

    @Test
    void publishToARegisteredControlTopic_reachesItsHandler_whoseAnswerGoesAfterTheAck() {
        List<String> requests = new ArrayList<>();
        TestClient sender = broker.connected("sender");
        sender.subscribe("$CONTROL/x/response", QoS.AT_MOST_ONCE);
        broker.core().controlTopics().register("$CONTROL/x", (ClientIdentity who, byte[] payload) -> {
            requests.add(who.clientId() + ":" + new String(payload, StandardCharsets.UTF_8));
            return () -> {
                io.starling.broker.core.routing.Message m = new io.starling.broker.core.routing.Message(
                        "$CONTROL/x/response", QoS.AT_MOST_ONCE, false,
                        io.netty.buffer.Unpooled.copiedBuffer("answer", StandardCharsets.UTF_8), Properties.EMPTY, "",
                        io.starling.broker.core.routing.Message.NEVER_EXPIRES);
                broker.core().router().route(m);
                m.release();
            };
        });

        sender.publish("$CONTROL/x", QoS.AT_LEAST_ONCE, "do it");

        List<Packet> got = sender.take();
        assertThat(requests).containsExactly("sender:do it");
        assertThat(got).hasSize(2);
        assertThat(got.get(0)).isInstanceOf(PubAck.class);
        assertThat(((Publish) got.get(1)).payload().toString(StandardCharsets.UTF_8)).isEqualTo("answer");
    }

    @Test
    void unsubscribeTheAuthorizerRefuses_keepsTheSubscription_and5AnswersNotAuthorized() {
        broker.core().replaceSecurity(Authenticator.anonymous(true), new Authorizer() {
            @Override
            public Access canPublish(ClientIdentity client, String topic) {
                return Access.ALLOW;
            }

            @Override
            public Access canRead(ClientIdentity client, String topic) {
                return Access.ALLOW;
            }

            @Override
            public Access canUnsubscribe(ClientIdentity client, String filter) {
                return filter.startsWith("keep/") ? Access.DENY : Access.ALLOW;
            }
        });
        TestClient c5 = v5("c5", null);
        c5.subscribe("keep/#", QoS.AT_MOST_ONCE);
        c5.subscribe("free/#", QoS.AT_MOST_ONCE);
        TestClient c3 = broker.connected("c3");
        c3.subscribe("keep/#", QoS.AT_MOST_ONCE);

        c5.send(new Unsubscribe(7, List.of("keep/#", "free/#"), Properties.EMPTY));
        c3.send(new Unsubscribe(8, List.of("keep/#"), Properties.EMPTY));

        assertThat(c5.expect(UnsubAck.class).reasonCodes()).containsExactly(ReasonCode.NOT_AUTHORIZED, ReasonCode.SUCCESS);
        assertThat(c3.expect(UnsubAck.class).reasonCodes()).isEmpty();
        broker.connected("p").publish("keep/a", QoS.AT_MOST_ONCE, "still");
        assertThat(c5.takePublishes()).hasSize(1);
        assertThat(c3.takePublishes()).hasSize(1);
    }

    @Test
    void administrativeDisconnect_closesTheNamedClientWith0x98_withoutItsWill() {
        TestClient watcher = broker.connected("watcher");
        watcher.subscribe("will/#", QoS.AT_MOST_ONCE);
        TestClient kicked = v5("kicked", new Will("will/kicked", "gone".getBytes(StandardCharsets.UTF_8),
                QoS.AT_MOST_ONCE, false, Properties.EMPTY));
        TestClient kept = v5("kept", null);

        AdministrativeDisconnects.disconnect(broker.core(), who -> "user-kicked".equals(who.username()));
        broker.loop().drain();

        assertThat(kicked.take()).singleElement().isInstanceOf(Disconnect.class)
                .extracting(p -> ((Disconnect) p).reasonCode()).isEqualTo(ReasonCode.ADMINISTRATIVE_ACTION);
        assertThat(kicked.isClosed()).isTrue();
        assertThat(kept.isClosed()).isFalse();
        watcher.expectNothing();
    }
}
