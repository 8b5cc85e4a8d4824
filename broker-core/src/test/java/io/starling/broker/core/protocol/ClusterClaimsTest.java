package io.starling.broker.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.session.ClientIdClaims;
import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Packet;
import io.starling.mqtt.codec.PingReq;
import io.starling.mqtt.codec.PingResp;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.ReasonCode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A cluster grants client ids (issue 17, point 3): CONNECT waits for the grant before its CONNACK, and
 * without one is refused with "server unavailable" (5.0: 0x88; 3.1.1: return code 3).
 */
class ClusterClaimsTest {
    private final TestBroker broker = TestBroker.start();
    /** The claims asked for, by client id, answered by the test. */
    private final Map<String, CompletableFuture<ClientIdClaims.Claim>> asked = new ConcurrentHashMap<>();

    /** The releases made, as "clientId token". */
    private final List<String> released = new java.util.concurrent.CopyOnWriteArrayList<>();

    ClusterClaimsTest() {
        broker.core().setClientIdClaims(new ClientIdClaims() {
            @Override
            public CompletableFuture<Claim> claim(String clientId) {
                return asked.computeIfAbsent(clientId, id -> new CompletableFuture<>());
            }

            @Override
            public void release(String clientId, long token) {
                released.add(clientId + " " + token);
            }
        });
    }

    /** Connects {@code clientId} with the claim granted with {@code token}. */
    private TestClient connectedWith(String clientId, long token, boolean cleanSession) {
        asked.put(clientId, CompletableFuture.completedFuture(ClientIdClaims.Claim.granted(token)));
        TestClient c = broker.newClient();
        c.send(new Connect(MqttVersion.MQTT_3_1_1, clientId, cleanSession, 60, null, null, null, Properties.EMPTY));
        broker.drain();
        assertThat(c.expect(ConnAck.class).reasonCode()).isEqualTo(ReasonCode.V3_ACCEPTED);
        return c;
    }

    @AfterEach
    void tearDown() {
        broker.close();
    }

    private static Connect connect(MqttVersion version, String clientId) {
        return new Connect(version, clientId, true, 60, null, null, null, Properties.EMPTY);
    }

    @Test
    void connect_waitsForTheGrant_readingNothing_thenIsAccepted_andWhatFollowedTakesEffect() {
        TestClient c = broker.newClient();

        c.send(connect(MqttVersion.MQTT_3_1_1, "c1"), PingReq.INSTANCE);

        assertThat(asked).containsKey("c1");
        c.expectNothing();
        assertThat(c.connection().isReading()).isFalse();
        assertThat(broker.core().sessions().get("c1")).as("no session before the grant").isNull();

        asked.get("c1").complete(ClientIdClaims.Claim.granted(7));
        broker.drain();

        List<Packet> got = c.take();
        assertThat(got).hasSize(2);
        assertThat(((ConnAck) got.get(0)).reasonCode()).isEqualTo(ReasonCode.V3_ACCEPTED);
        assertThat(got.get(1)).isInstanceOf(PingResp.class);
        assertThat(c.connection().isReading()).isTrue();
    }

    @Test
    void noGrant_refusesAn5Client_withServerUnavailable0x88() {
        TestClient c = broker.newClient();
        c.send(connect(MqttVersion.MQTT_5, "c5"));

        asked.get("c5").complete(ClientIdClaims.Claim.UNAVAILABLE);
        broker.drain();

        ConnAck ack = c.expect(ConnAck.class);
        assertThat(ack.reasonCode()).isEqualTo(ReasonCode.SERVER_UNAVAILABLE);
        assertThat(ack.sessionPresent()).isFalse();
        assertThat(c.isClosed()).isTrue();
        assertThat(broker.core().sessions().get("c5")).isNull();
    }

    @Test
    void noGrant_refusesA311Client_withReturnCode3() {
        TestClient c = broker.newClient();
        c.send(connect(MqttVersion.MQTT_3_1_1, "c3"));

        asked.get("c3").complete(ClientIdClaims.Claim.UNAVAILABLE);
        broker.drain();

        assertThat(c.expect(ConnAck.class).reasonCode()).isEqualTo(ReasonCode.V3_SERVER_UNAVAILABLE);
        assertThat(c.isClosed()).isTrue();
    }

    @Test
    void aFailedClaim_refusesLikeNoGrant() {
        TestClient c = broker.newClient();
        c.send(connect(MqttVersion.MQTT_5, "c5"));

        asked.get("c5").completeExceptionally(new IllegalStateException("registry closed"));
        broker.drain();

        assertThat(c.expect(ConnAck.class).reasonCode()).isEqualTo(ReasonCode.SERVER_UNAVAILABLE);
        assertThat(c.isClosed()).isTrue();
    }

    @Test
    void aConnectionLostBeforeTheGrant_takesNoSessionOver() {
        asked.put("dup", CompletableFuture.completedFuture(ClientIdClaims.Claim.granted(7)));
        TestClient first = broker.newClient();
        assertThat(first.connect("dup", true).reasonCode()).isEqualTo(ReasonCode.V3_ACCEPTED);
        asked.put("dup", new CompletableFuture<>());
        TestClient second = broker.newClient();
        second.send(connect(MqttVersion.MQTT_3_1_1, "dup"));

        second.dropConnection();
        asked.get("dup").complete(ClientIdClaims.Claim.granted(7));
        broker.drain();

        assertThat(first.isClosed()).as("the first connection keeps its session").isFalse();
        first.send(PingReq.INSTANCE);
        assertThat(first.expect(PingResp.class)).isNotNull();
    }

    @Test
    void anIdTheBrokerAssigns_isNotClaimed_andConnectsAtOnce() {
        TestClient c = broker.newClient();

        ConnAck ack = c.connect(connect(MqttVersion.MQTT_5, ""));

        assertThat(ack.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        assertThat(asked).isEmpty();
    }

    @Test
    void aSessionThatEnds_releasesItsClaimWithItsToken() {
        TestClient c = connectedWith("c1", 41, true);

        c.disconnect();
        broker.drain();

        assertThat(released).containsExactly("c1 41");
    }

    @Test
    void aPersistentSession_keepsItsClaimWhileOffline() {
        TestClient c = connectedWith("p1", 41, false);

        c.dropConnection();
        broker.drain();

        assertThat(released).isEmpty();
    }

    @Test
    void aSessionTakenOverOnThisBroker_releasesTheNewConnectionsClaim_notTheOldOne() {
        TestClient first = connectedWith("t1", 41, false);
        TestClient second = connectedWith("t1", 42, true);
        assertThat(first.isClosed()).isTrue();
        assertThat(released).as("a takeover ends no session").isEmpty();

        second.disconnect();
        broker.drain();

        assertThat(released).containsExactly("t1 42");
    }
}
