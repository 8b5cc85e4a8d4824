package io.starling.broker.cluster.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.PooledByteBufAllocator;
import io.starling.broker.cluster.LeakReports;
import io.starling.broker.cluster.NodeId;
import io.starling.broker.config.ClusterSettings;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.routing.RemoteNode;
import io.starling.broker.core.time.Clock;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.QoS;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The sending side towards one node, without a connection: what waits, what is dropped, and the counts. */
@ExtendWith(LeakReports.class)
class NodeLinkTest {
    private final LinkCounters counters = new LinkCounters();
    private final NodeLink link = new NodeLink(new NodeId("b"), new LinkCodec(Clock.SYSTEM), counters,
            new java.util.concurrent.atomic.AtomicLong(), new ClusterSettings.Limits(1 << 20, 2000, 1, 1));

    private Message message(QoS qos) {
        return message(qos, 1);
    }

    private Message message(QoS qos, int payloadBytes) {
        return new Message("t", qos, false, PooledByteBufAllocator.DEFAULT.buffer().writeZero(payloadBytes),
                Properties.EMPTY, "p", Message.NEVER_EXPIRES);
    }

    @Test
    void qos0WithoutALink_isDroppedAndCounted() {
        Message m = message(QoS.AT_MOST_ONCE);

        link.forward(m, RemoteNode.Targets.ORDINARY);

        assertThat(counters.droppedNoLink.sum()).isOne();
        assertThat(m.payload().refCnt()).as("nothing kept").isOne();
        m.release();
    }

    @Test
    void qos1WithoutALink_waitsWithItsOwnReferenceUntilTheNodeIsGone() {
        Message m = message(QoS.AT_LEAST_ONCE);

        link.forward(m, RemoteNode.Targets.ORDINARY);
        m.release();

        assertThat(link.unackedCount()).isOne();
        assertThat(m.payload().refCnt()).isOne();
        link.gone();
        assertThat(m.payload().refCnt()).isZero();
        assertThat(counters.droppedNodeGone.sum()).isOne();
    }

    @Test
    void acknowledgement_releasesTheKeptMessage() {
        Message m = message(QoS.EXACTLY_ONCE);
        link.forward(m, RemoteNode.Targets.ORDINARY);
        m.release();

        link.acked(1);

        assertThat(m.payload().refCnt()).isZero();
        assertThat(link.unackedCount()).isZero();
    }

    @Test
    void pastTheUnacknowledgedBytes_qos1And2AreDroppedAndCountedUntilAnAckMakesRoom() {
        Message big = message(QoS.AT_LEAST_ONCE, 800);

        link.forward(big, RemoteNode.Targets.ORDINARY); // 800 of 2000 bytes
        link.forward(big, RemoteNode.Targets.ORDINARY); // 1600
        link.forward(big, RemoteNode.Targets.ORDINARY); // would be 2400: dropped
        Message small = message(QoS.EXACTLY_ONCE, 400);
        link.forward(small, RemoteNode.Targets.ORDINARY); // 2000: fits exactly

        assertThat(link.unackedCount()).isEqualTo(3);
        assertThat(link.unackedBytes()).isEqualTo(2000);
        assertThat(counters.droppedWindowFull.sum()).isOne();
        assertThat(counters.forwardedOut.sum()).isEqualTo(3);

        link.acked(1);
        assertThat(link.unackedBytes()).isEqualTo(1200);
        link.forward(big, RemoteNode.Targets.ORDINARY);
        assertThat(link.unackedBytes()).isEqualTo(2000);
        assertThat(counters.droppedWindowFull.sum()).isOne();

        link.gone();
        assertThat(link.unackedBytes()).isZero();
        assertThat(big.payload().refCnt()).isOne();
        assertThat(small.payload().refCnt()).isOne();
        big.release();
        small.release();
    }

    @Test
    void pastTheUnacknowledgedWindow_messagesAreDroppedAndCounted() {
        NodeLink link = new NodeLink(new NodeId("b"), new LinkCodec(Clock.SYSTEM), counters,
                new java.util.concurrent.atomic.AtomicLong(), ClusterSettings.Limits.DEFAULTS);
        Message m = message(QoS.AT_LEAST_ONCE);
        for (int i = 0; i < NodeLink.MAX_UNACKED + 3; i++) {
            link.forward(m, RemoteNode.Targets.ORDINARY);
        }

        assertThat(link.unackedCount()).isEqualTo(NodeLink.MAX_UNACKED);
        assertThat(counters.droppedWindowFull.sum()).isEqualTo(3);
        assertThat(counters.forwardedOut.sum()).isEqualTo(NodeLink.MAX_UNACKED);
        link.gone();
        assertThat(m.payload().refCnt()).isOne();
        m.release();
    }
}
