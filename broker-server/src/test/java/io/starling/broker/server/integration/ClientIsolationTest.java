package io.starling.broker.server.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.testkit.RawMqttClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One client's bytes cannot hurt another client (3.1.1 §4.8: the offending connection is closed,
 * nothing else): malformed packets arrive while a subscriber keeps receiving.
 */
@Timeout(60)
class ClientIsolationTest {
    @RegisterExtension
    static final RunningBroker broker = new RunningBroker();

    /** Malformed packets, each sent after a valid CONNECT. */
    private static final List<String> ATTACKS = List.of(
            "36 07 00 03 61 2f 62 00 01",   // PUBLISH QoS 3
            "30 80 80 80 80 01",            // five-byte remaining length
            "30 05 00 03 61 ff 62",         // ill-formed UTF-8 topic
            "80 06 00 01 00 01 61 00",      // SUBSCRIBE with reserved flags 0
            "32 05 00 03 61 2f 62",         // QoS 1 PUBLISH without packet id
            "30 05 00 03 61 00 62");        // U+0000 in topic

    @Test
    void malformedPacketsFromOneClient_doNotDisturbAnotherClientsSubscription() throws Exception {
        int messages = 200;
        int attacks = 60;
        long malformedBefore = broker.core().drops().malformedPackets.sum();
        try (PahoClient sub = PahoClient.connected(broker, "isolation-sub");
             PahoClient pub = PahoClient.connected(broker, "isolation-pub")) {
            sub.subscribe("isolation/#", 1);

            CompletableFuture<Integer> attacker = CompletableFuture.supplyAsync(() -> {
                int closed = 0;
                for (int i = 0; i < attacks; i++) {
                    try (RawMqttClient bad = RawMqttClient.open(broker.port())) {
                        bad.connect("isolation-bad-" + i, true, 60);
                        bad.sendHex(ATTACKS.get(i % ATTACKS.size()));
                        if (bad.isClosedWithin(Duration.ofSeconds(2))) {
                            closed++;
                        }
                    }
                }
                return closed;
            });
            for (int i = 0; i < messages; i++) {
                pub.publish("isolation/data", Integer.toString(i), 1);
            }

            assertThat(attacker.get(30, TimeUnit.SECONDS)).as("malformed connections closed").isEqualTo(attacks);
            List<String> received = sub.receive(messages).stream().map(PahoClient.Received::payload)
                    .collect(Collectors.toList());
            assertThat(received).containsExactlyElementsOf(
                    IntStream.range(0, messages).mapToObj(Integer::toString).collect(Collectors.toList()));
            assertThat(sub.awaitConnectionLost(Duration.ZERO)).as("subscriber lost its connection").isFalse();
            assertThat(sub.isConnected()).isTrue();
            assertThat(broker.core().drops().malformedPackets.sum() - malformedBefore).isEqualTo(attacks);
        }
    }
}
