package io.starling.broker.core.store.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.starling.broker.core.routing.Delivery;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.testing.Payloads;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.QoS;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A session's queue on the heap, including one that never held anything (it has no deque yet). */
class InMemoryMessageQueueTest {
    private final Payloads payloads = new Payloads();

    @AfterEach
    void allPayloadsReleased() {
        payloads.assertAllReleased();
    }

    private Delivery delivery(String text) {
        Message m = new Message("t", QoS.AT_LEAST_ONCE, false, payloads.of(text), Properties.EMPTY, "p",
                Message.NEVER_EXPIRES);
        return new Delivery(m, QoS.AT_LEAST_ONCE, false, List.of());
    }

    @Test
    void neverUsedQueue_readsAsEmpty() {
        InMemoryMessageQueue q = new InMemoryMessageQueue();

        assertThat(q.poll()).isNull();
        assertThat(q.size()).isZero();
        assertThat(q.bytes()).isZero();
    }

    @Test
    void clearingANeverUsedQueue_leavesItEmptyAndUsable() {
        InMemoryMessageQueue q = new InMemoryMessageQueue();

        q.clear();
        q.add(delivery("ab"));

        assertThat(q.size()).isOne();
        assertThat(q.bytes()).isEqualTo(2);
        q.clear();
    }

    @Test
    void poll_returnsDeliveriesOldestFirstAndCountsTheirBytes() {
        InMemoryMessageQueue q = new InMemoryMessageQueue();
        Delivery first = delivery("a");
        Delivery second = delivery("bcd");
        q.add(first);
        q.add(second);
        assertThat(q.bytes()).isEqualTo(4);

        assertThat(q.poll()).isSameAs(first);
        assertThat(q.size()).isOne();
        assertThat(q.bytes()).isEqualTo(3);
        assertThat(q.poll()).isSameAs(second);
        assertThat(q.poll()).as("drained").isNull();
        assertThat(q.size()).isZero();
        assertThat(q.bytes()).isZero();

        first.message().release();
        second.message().release();
    }

    @Test
    void clear_releasesEveryQueuedMessageAndTheQueueTakesMoreAfterwards() {
        InMemoryMessageQueue q = new InMemoryMessageQueue();
        Delivery a = delivery("a");
        Delivery b = delivery("b");
        ByteBuf payloadA = a.message().payload();
        q.add(a);
        q.add(b);

        q.clear();

        assertThat(payloadA.refCnt()).isZero();
        assertThat(q.size()).isZero();
        assertThat(q.bytes()).isZero();
        assertThat(q.poll()).isNull();
        Delivery c = delivery("cc");
        q.add(c);
        assertThat(q.poll()).isSameAs(c);
        c.message().release();
    }
}
