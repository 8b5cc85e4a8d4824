package io.starling.broker.server.integration;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Message ordering (3.1.1 §4.6): messages of one topic reach a subscriber in the order they were published. */
@Timeout(30)
class MessageOrderingTest {
    @RegisterExtension
    static final RunningBroker broker = new RunningBroker();

    @Test
    void thousandQos1Messages_arriveInPublishOrder() throws Exception {
        try (PahoClient sub = PahoClient.connected(broker, "order-sub");
             PahoClient pub = PahoClient.connected(broker, "order-pub")) {
            sub.subscribe("order/q1", 1);

            for (int i = 0; i < 1000; i++) {
                pub.publish("order/q1", Integer.toString(i), 1);
            }

            List<String> received = sub.receive(1000).stream().map(PahoClient.Received::payload)
                    .collect(Collectors.toList());
            assertThat(received).containsExactlyElementsOf(
                    IntStream.range(0, 1000).mapToObj(Integer::toString).collect(Collectors.toList()));
        }
    }
}
