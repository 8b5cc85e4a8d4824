package io.starling.broker.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.starling.broker.core.BrokerSettings;
import io.starling.broker.core.auth.Authenticator;
import io.starling.broker.core.auth.Authorizer;
import io.starling.broker.core.auth.ClientIdentity;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.session.Session;
import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.ReasonCode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Mosquitto options that change core behaviour: clientid_prefixes, persistent_client_expiration,
 * upgrade_outgoing_qos, check_retain_source.
 */
class MosquittoOptionsTest {
    private TestBroker broker;

    @AfterEach
    void tearDown() {
        broker.close();
    }

    @Test
    void clientIdWithoutTheRequiredPrefix_isRefusedAsNotAuthorized() {
        broker = TestBroker.start(BrokerSettings.defaults().toBuilder().clientIdPrefixes("dev-").build());

        ConnAck refused = broker.newClient().connect("other", true);
        ConnAck accepted = broker.newClient().connect("dev-1", true);

        assertThat(refused.reasonCode()).isEqualTo(ReasonCode.V3_NOT_AUTHORIZED);
        assertThat(accepted.reasonCode()).isEqualTo(ReasonCode.V3_ACCEPTED);
    }

    @Test
    void persistentClientExpiration_limitsHowLongAnOfflinePersistentSessionIsKept() throws Exception {
        broker = TestBroker.start(BrokerSettings.defaults().toBuilder().persistentClientExpirationSeconds(1).build());
        TestClient c = broker.newClient();
        c.connect("p", false);
        assertThat(c.onSession(Session::expiryInterval)).isEqualTo(1L);
        c.disconnect();
        assertThat(broker.core().sessions().get("p")).isNotNull();

        long deadline = System.nanoTime() + 5_000_000_000L;
        while (broker.core().sessions().get("p") != null && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }

        assertThat(broker.core().sessions().get("p")).isNull();
    }

    @Test
    void withoutPersistentClientExpiration_aPersistentSessionNeverExpires() {
        broker = TestBroker.start();
        TestClient c = broker.newClient();
        c.connect("p", false);

        assertThat(c.onSession(Session::expiryInterval)).isEqualTo(Session.NEVER_EXPIRES);
    }

    @Test
    void upgradeOutgoingQos_deliversAtTheSubscriptionsQos() {
        broker = TestBroker.start(BrokerSettings.defaults().toBuilder().upgradeOutgoingQos(true).build());
        TestClient sub = broker.connected("sub");
        sub.subscribe("a", QoS.EXACTLY_ONCE);
        TestClient pub = broker.connected("pub");

        pub.publish("a", QoS.AT_MOST_ONCE, "x");

        assertThat(sub.takePublishes()).extracting(Publish::qos).containsExactly(QoS.EXACTLY_ONCE);
    }

    @Test
    void upgradeOutgoingQos_appliesToRetainedMessagesSentOnSubscribe() {
        broker = TestBroker.start(BrokerSettings.defaults().toBuilder().upgradeOutgoingQos(true).build());
        TestClient pub = broker.connected("pub");
        pub.publish("r", QoS.AT_MOST_ONCE, true, "x");
        TestClient sub = broker.connected("sub");

        sub.subscribe("r", QoS.EXACTLY_ONCE);

        assertThat(sub.takePublishes()).extracting(Publish::qos).containsExactly(QoS.EXACTLY_ONCE);
    }

    /** writer may write r/# until "revoked" is set; everyone may read everything. */
    private static final class Revocable implements Authorizer {
        volatile boolean revoked;

        @Override
        public Access canPublish(ClientIdentity client, String topic) {
            return "writer".equals(client.clientId()) && !revoked ? Access.ALLOW : Access.DENY;
        }

        @Override
        public Access canRead(ClientIdentity client, String topic) {
            return Access.ALLOW;
        }
    }

    @Test
    void checkRetainSource_skipsARetainedMessageWhosePublisherMayNoLongerWriteIt_andKeepsIt() {
        broker = TestBroker.start(BrokerSettings.defaults().toBuilder().checkRetainSource(true).build());
        Revocable acl = new Revocable();
        broker.core().replaceSecurity(Authenticator.anonymous(true), acl);
        broker.connected("writer").publish("r/1", QoS.AT_MOST_ONCE, true, "kept");
        acl.revoked = true;

        TestClient sub = broker.connected("sub");
        sub.subscribe("r/#", QoS.AT_MOST_ONCE);
        sub.expectNothing();
        acl.revoked = false;
        TestClient again = broker.connected("sub2");
        again.subscribe("r/#", QoS.AT_MOST_ONCE);

        assertThat(again.takePublishes()).extracting(p -> p.payload().toString(StandardCharsets.UTF_8))
                .containsExactly("kept");
        assertThat(broker.core().drops().notAuthorized.sum()).isEqualTo(1);
    }

    @Test
    void withoutCheckRetainSource_theRetainedMessageIsSentWhateverItsPublisherMayDoNow() {
        broker = TestBroker.start();
        Revocable acl = new Revocable();
        broker.core().replaceSecurity(Authenticator.anonymous(true), acl);
        broker.connected("writer").publish("r/1", QoS.AT_MOST_ONCE, true, "kept");
        acl.revoked = true;

        TestClient sub = broker.connected("sub");
        sub.subscribe("r/#", QoS.AT_MOST_ONCE);

        assertThat(sub.takePublishes()).hasSize(1);
    }

    @Test
    void checkRetainSource_exemptsTheBrokersOwnMessages() {
        broker = TestBroker.start(BrokerSettings.defaults().toBuilder().checkRetainSource(true).build());
        broker.core().replaceSecurity(Authenticator.anonymous(true), new Revocable());
        broker.core().retained().put(new Message("$SYS/broker/x", QoS.AT_MOST_ONCE, true,
                Unpooled.copiedBuffer("v", StandardCharsets.UTF_8), Properties.EMPTY, "", Message.NEVER_EXPIRES));

        TestClient sub = broker.connected("sub");
        sub.subscribe("$SYS/broker/x", QoS.AT_MOST_ONCE);

        assertThat(sub.takePublishes()).hasSize(1);
    }

    @Test
    void byDefault_deliveryIsAtTheLowerOfPublishedAndGrantedQos() {
        broker = TestBroker.start();
        TestClient sub = broker.connected("sub");
        sub.subscribe("a", QoS.EXACTLY_ONCE);
        TestClient pub = broker.connected("pub");

        pub.publish("a", QoS.AT_MOST_ONCE, "x");

        assertThat(sub.takePublishes()).extracting(Publish::qos).containsExactly(QoS.AT_MOST_ONCE);
    }

    @Test
    void maxInflightBytes_holdsBackMessagesOnceTheWindowHoldsThatManyBytes() {
        broker = TestBroker.start(BrokerSettings.defaults().toBuilder().maxInflightBytes(10).build());
        TestClient sub = broker.connected("sub");
        sub.subscribe("a", QoS.AT_LEAST_ONCE);
        TestClient pub = broker.connected("pub");

        pub.publish("a", QoS.AT_LEAST_ONCE, "123456");        // 6 bytes: below 10, sent
        pub.publish("a", QoS.AT_LEAST_ONCE, "7890ab");        // 12 in flight after it: still sent (6 < 10 before)
        pub.publish("a", QoS.AT_LEAST_ONCE, "held back");     // 12 >= 10: queued

        java.util.List<Publish> first = sub.takePublishes();
        assertThat(first).hasSize(2);
        assertThat(sub.onSession(Session::queuedCount)).isEqualTo(1);
        first.forEach(sub::ack);
        assertThat(sub.takePublishes()).hasSize(1);
    }

    @Test
    void messageLargerThanMaxInflightBytes_stillGoesOutAlone() {
        broker = TestBroker.start(BrokerSettings.defaults().toBuilder().maxInflightBytes(4).build());
        TestClient sub = broker.connected("sub");
        sub.subscribe("a", QoS.AT_LEAST_ONCE);
        TestClient pub = broker.connected("pub");

        pub.publish("a", QoS.AT_LEAST_ONCE, "a large message");
        pub.publish("a", QoS.AT_LEAST_ONCE, "next");

        assertThat(sub.takePublishes()).hasSize(1);
        assertThat(sub.onSession(Session::queuedCount)).isEqualTo(1);
    }
}
