package io.starling.broker.core.sys;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.mqtt.codec.QoS;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Per-thread counters, summed on read. */
class BrokerCountersTest {
    private final BrokerCounters counters = new BrokerCounters();

    @Test
    void sum_addsUpEveryThreadsCounts() throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                LoopCounters mine = counters.local();
                for (int i = 0; i < 100_000; i++) {
                    mine.increment(Counter.PACKETS_RECEIVED);
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }

        assertThat(counters.sum(Counter.PACKETS_RECEIVED)).isEqualTo(400_000);
    }

    @Test
    void local_isTheSameObjectOnOneThreadAndAnotherOnAnother() throws Exception {
        LoopCounters here = counters.local();
        LoopCounters[] there = new LoopCounters[1];
        Thread other = new Thread(() -> there[0] = counters.local());
        other.start();
        other.join();

        assertThat(counters.local()).isSameAs(here);
        assertThat(there[0]).isNotSameAs(here);
    }

    @Test
    void gauge_isTheSumOfUpsAndDownsAcrossThreads() throws InterruptedException {
        counters.local().add(Counter.CLIENTS_CONNECTED, 3);
        Thread other = new Thread(() -> counters.local().add(Counter.CLIENTS_CONNECTED, -1)); // a session that moved
        other.start();
        other.join();

        assertThat(counters.sum(Counter.CLIENTS_CONNECTED)).isEqualTo(2);
    }

    @Test
    void byQos_picksTheCounterOfThatQos() {
        assertThat(Counter.publishReceived(QoS.AT_MOST_ONCE)).isEqualTo(Counter.PUBLISH_RECEIVED_QOS0);
        assertThat(Counter.publishSent(QoS.EXACTLY_ONCE)).isEqualTo(Counter.PUBLISH_SENT_QOS2);
        assertThat(Counter.publishBytesReceived(QoS.AT_LEAST_ONCE)).isEqualTo(Counter.PUBLISH_BYTES_RECEIVED_QOS1);
        assertThat(Counter.publishBytesSent(QoS.AT_LEAST_ONCE)).isEqualTo(Counter.PUBLISH_BYTES_SENT_QOS1);
    }
}
