package io.starling.broker.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.Disconnect;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.ReasonCode;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A cluster node's client lease ran out: every connection closes, once, and each close is counted once. */
class LostLeaseTest {
    private final TestBroker broker = TestBroker.start();

    @AfterEach
    void tearDown() {
        broker.close();
    }

    @Test
    void everyConnectionCloses_a5ClientToldToUseAnotherServer_andASweepWhileStillClosingCountsNoneAgain() {
        TestClient v5 = broker.newClient();
        v5.connect(new Connect(MqttVersion.MQTT_5, "five", true, 60, null, null, null, Properties.EMPTY));
        TestClient v3 = broker.connected("three");
        AtomicInteger closed = new AtomicInteger();

        int online = LostLease.closeAll(broker.core(), closed::incrementAndGet);
        int again = LostLease.closeAll(broker.core(), closed::incrementAndGet); // before the closes took effect
        broker.drain();

        assertThat(online).isEqualTo(2);
        assertThat(again).isLessThanOrEqualTo(2);
        assertThat(closed).hasValue(2);
        assertThat(v5.expect(Disconnect.class).reasonCode()).isEqualTo(ReasonCode.USE_ANOTHER_SERVER);
        assertThat(v5.isClosed()).isTrue();
        assertThat(v3.isClosed()).isTrue();
        assertThat(broker.core().sessions().get("five")).as("sessions stay as after any lost connection")
                .satisfiesAnyOf(s -> assertThat(s).isNull(), s -> assertThat(s.isOnline()).isFalse());
    }
}
