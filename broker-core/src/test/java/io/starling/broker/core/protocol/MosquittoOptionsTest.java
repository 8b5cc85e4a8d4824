package io.starling.broker.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.BrokerSettings;
import io.starling.broker.core.session.Session;
import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.ReasonCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Mosquitto options that change core behaviour: clientid_prefixes, persistent_client_expiration, upgrade_outgoing_qos. */
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
