package io.starling.broker.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.auth.Authenticator;
import io.starling.broker.core.auth.Authorizer;
import io.starling.broker.core.auth.ClientIdentity;
import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PubAck;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.ReasonCode;
import io.starling.mqtt.codec.SubAck;
import io.starling.mqtt.codec.Subscription;
import io.starling.mqtt.codec.SubscriptionOptions;
import io.starling.mqtt.codec.Will;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How the core applies an Authorizer (the ACL): publish, subscribe, every delivery, wills, reloads. */
class AuthorizationTest {
    /** Client "reader" may read only open/#; "writer" may write only open/# and secret/#; secret/# is denied to subscribe. */
    private static final Authorizer RULES = new Authorizer() {
        @Override
        public Access canPublish(ClientIdentity client, String topic) {
            return "writer".equals(client.clientId()) && (topic.startsWith("open/") || topic.startsWith("secret/"))
                    ? Access.ALLOW : Access.DENY;
        }

        @Override
        public Access canRead(ClientIdentity client, String topic) {
            return "reader".equals(client.clientId()) && topic.startsWith("open/") ? Access.ALLOW : Access.DENY;
        }

        @Override
        public Access canSubscribe(ClientIdentity client, String filter) {
            return filter.startsWith("secret/") ? Access.DENY : Access.ALLOW;
        }
    };

    private final TestBroker broker = TestBroker.start();

    @AfterEach
    void tearDown() {
        broker.close();
    }

    private void install(Authorizer authorizer) {
        broker.core().replaceSecurity(Authenticator.anonymous(true), authorizer);
    }

    private static String text(Publish p) {
        return p.payload().toString(StandardCharsets.UTF_8);
    }

    private TestClient v5(String clientId) {
        TestClient c = broker.newClient();
        c.connect(new Connect(MqttVersion.MQTT_5, clientId, true, 60, null, null, null, Properties.EMPTY));
        return c;
    }

    @Test
    void deniedPublishOn311_isAckedNormallyButNotDelivered() {
        install(RULES);
        TestClient reader = broker.connected("reader");
        reader.subscribe("#", QoS.AT_LEAST_ONCE);
        TestClient other = broker.connected("other");

        other.publish("open/a", QoS.AT_LEAST_ONCE, "x");

        assertThat(other.take()).singleElement().isInstanceOf(PubAck.class)
                .extracting(p -> ((PubAck) p).reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        reader.expectNothing();
    }

    @Test
    void deniedPublishOn5_isAckedWithNotAuthorized() {
        install(RULES);
        TestClient other = v5("other");

        other.publish("open/a", QoS.AT_LEAST_ONCE, "x");

        assertThat(other.expect(PubAck.class).reasonCode()).isEqualTo(ReasonCode.NOT_AUTHORIZED);
    }

    @Test
    void subscriptionToAnUnreadableFilter_isGrantedButOnlyReadableMessagesArrive() {
        install(RULES);
        TestClient reader = broker.connected("reader");
        SubAck ack = reader.subscribe("#", QoS.AT_MOST_ONCE);
        TestClient writer = broker.connected("writer");

        writer.publish("open/a", QoS.AT_MOST_ONCE, "readable");
        writer.publish("secret/a", QoS.AT_MOST_ONCE, "not for reader");

        assertThat(ack.reasonCodes()).containsExactly(0);
        assertThat(reader.takePublishes()).extracting(AuthorizationTest::text).containsExactly("readable");
    }

    @Test
    void explicitlyDeniedFilter_isRefusedInSubAck() {
        install(RULES);
        TestClient reader = broker.connected("reader");
        TestClient reader5 = v5("reader5");

        SubAck v3 = reader.subscribe("secret/#", QoS.AT_MOST_ONCE);
        SubAck v5 = reader5.subscribe("secret/#", QoS.AT_MOST_ONCE);

        assertThat(v3.reasonCodes()).containsExactly(ReasonCode.V3_SUBSCRIPTION_FAILURE);
        assertThat(v5.reasonCodes()).containsExactly(ReasonCode.NOT_AUTHORIZED);
    }

    @Test
    void retainedMessage_isNotSentToASubscriberWhoMayNotReadIt() {
        TestClient writer = broker.connected("writer");
        writer.publish("open/r", QoS.AT_MOST_ONCE, true, "open retained");
        writer.publish("other/r", QoS.AT_MOST_ONCE, true, "hidden retained");
        install(RULES);
        TestClient reader = broker.connected("reader");

        reader.subscribe("+/r", QoS.AT_MOST_ONCE);

        assertThat(reader.takePublishes()).extracting(AuthorizationTest::text).containsExactly("open retained");
    }

    @Test
    void willOnATopicTheClientMayNotPublish_isAcceptedAtConnectAndDroppedWhenDue() {
        install(RULES);
        TestClient reader = broker.connected("reader");
        reader.subscribe("open/#", QoS.AT_MOST_ONCE);
        TestClient c = broker.newClient();

        ConnAck ack = c.connect(TestClient.connectPacket("other", true,
                new Will("open/will", "bye".getBytes(StandardCharsets.UTF_8), QoS.AT_MOST_ONCE, false,
                        Properties.EMPTY)));
        assertThat(ack.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        c.dropConnection();

        reader.expectNothing();
    }

    @Test
    void reloadedAcl_appliesToTheNextPublishOfAConnectedClient() {
        TestClient reader = broker.connected("reader");
        reader.subscribe("open/#", QoS.AT_MOST_ONCE);
        TestClient other = broker.connected("other");
        other.publish("open/a", QoS.AT_MOST_ONCE, "before reload");
        assertThat(reader.takePublishes()).hasSize(1);

        install(RULES);
        other.publish("open/a", QoS.AT_MOST_ONCE, "after reload");

        reader.expectNothing();
        assertThat(other.isClosed()).isFalse();
    }

    @Test
    void resumedSession_losesSubscriptionsTheCurrentAclDenies() {
        TestClient first = broker.newClient();
        first.connect("reader", false);
        first.subscribe(new Subscription("secret/x", SubscriptionOptions.of(QoS.AT_MOST_ONCE)),
                new Subscription("open/x", SubscriptionOptions.of(QoS.AT_MOST_ONCE)));
        first.disconnect();
        install(RULES);

        TestClient again = broker.newClient();
        ConnAck ack = again.connect("reader", false);

        assertThat(ack.sessionPresent()).isTrue();
        java.util.List<String> filters = again.onSession(s -> s.subscriptionFilters());
        assertThat(filters).containsExactly("open/x");
    }
}
