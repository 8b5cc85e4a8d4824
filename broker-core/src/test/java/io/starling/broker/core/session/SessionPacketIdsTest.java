package io.starling.broker.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.starling.broker.core.BrokerSettings;
import io.starling.broker.core.DropCounters;
import io.starling.broker.core.routing.Delivery;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.routing.SharedSubscriptions;
import io.starling.broker.core.routing.Subscriber;
import io.starling.broker.core.routing.SubscriberOptions;
import io.starling.broker.core.store.SessionStore;
import io.starling.broker.core.store.StoredSession;
import io.starling.broker.core.store.StoredState;
import io.starling.broker.core.sys.BrokerCounters;
import io.starling.broker.core.testing.TestLoops;
import io.starling.broker.core.testing.TestLoops.InLoop;
import io.starling.broker.core.time.Clock;
import io.starling.broker.core.topic.SubscriptionTree;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.QoS;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The session's packet id counter at its edges: it goes on from the id kept in the store, 65535 is
 * followed by 1 (as mosquitto's), and an id still inflight when the counter comes round to it is
 * skipped when the message is sent (MQTT-2.3.1-2; mosquitto 2.0.11 sends it again, measured).
 */
class SessionPacketIdsTest {
    private final SubscriptionTree<Subscriber, SubscriberOptions> tree = new SubscriptionTree<>();
    private final InLoop loop = TestLoops.start("session-ids");

    @AfterEach
    void tearDown() {
        loop.close();
    }

    /** Records the packet ids of what it is sent. */
    private static final class IdLink implements SessionLink {
        final List<Integer> ids = new CopyOnWriteArrayList<>();
        final int receiveMaximum;

        IdLink() {
            this(65535);
        }

        IdLink(int receiveMaximum) {
            this.receiveMaximum = receiveMaximum;
        }

        @Override
        public boolean isWritable() {
            return true;
        }

        @Override
        public boolean sendPublish(Delivery delivery, int packetId, boolean dup) {
            ids.add(packetId);
            return true;
        }

        @Override
        public int receiveMaximum() {
            return receiveMaximum;
        }

        @Override
        public void sendPubRel(int packetId) {
        }
    }

    private Session session() {
        SessionContext context = new SessionContext(BrokerSettings.defaults(), new DropCounters(), new BrokerCounters(),
                tree, new SharedSubscriptions(tree), Clock.SYSTEM, SessionStore.NONE);
        return new Session("c", loop.outbox(), context);
    }

    private static Delivery qos1() {
        Message m = new Message("t", QoS.AT_LEAST_ONCE, false, Unpooled.buffer(1).writeByte(1), Properties.EMPTY, "p",
                Message.NEVER_EXPIRES);
        return new Delivery(m, QoS.AT_LEAST_ONCE, false, List.of());
    }

    private static StoredState.RestoredSession stored(int lastPacketId, List<StoredState.Outgoing> outgoing) {
        return new StoredState.RestoredSession(new StoredSession("c", null, 600, 1, 0, lastPacketId), Map.of(),
                outgoing, Map.of(), null, 0);
    }

    @Test
    void restoredSession_goesOnFromTheStoredId_andWrapsFrom65535To1() {
        Session s = session();
        IdLink link = new IdLink();

        loop.run(() -> {
            s.restore(stored(65534, List.of()));
            s.attach(link);
            for (int i = 0; i < 3; i++) {
                s.deliver(s.stored(qos1()));
            }
        });

        assertThat(link.ids).containsExactly(65535, 1, 2);
        loop.run(s::end);
    }

    @Test
    void anIdStillInflightWhenTheCounterComesRound_isSkipped() {
        Session s = session();
        IdLink link = new IdLink();

        loop.run(() -> {
            // id 1 went out before a restart and is not acknowledged yet
            s.restore(stored(65535, List.of(new StoredState.Outgoing(1, qos1(), 1))));
            s.attach(link);
            s.deliver(s.stored(qos1()));
            s.deliver(s.stored(qos1()));
        });

        assertThat(link.ids).containsExactly(1, 2, 3); // the re-sent 1, then 2 (not 1 again) and 3
        loop.run(s::end);
    }

    private static StoredState.Outgoing queued(long seq, int packetId) {
        return new StoredState.Outgoing(seq, qos1().withStoreSeq(seq).withPacketId(packetId), 0);
    }

    @Test
    void idsOfStoredMessagesNewerThanTheStoredCounter_moveItOn_asAfterACrash() {
        Session s = session();
        IdLink link = new IdLink(1);

        loop.run(() -> {
            // the header was written when the counter stood at 10; 11 and 12 were queued before a crash
            s.restore(stored(10, List.of(queued(1, 11), queued(2, 12))));
            s.attach(link);
            s.deliver(s.stored(qos1())); // queued behind them
            s.onPubAck(11);
            s.onPubAck(12);
        });

        assertThat(link.ids).containsExactly(11, 12, 13);
        loop.run(s::end);
    }

    @Test
    void idsOfStoredMessagesOlderThanTheStoredCounter_leaveIt() {
        Session s = session();
        IdLink link = new IdLink();

        loop.run(() -> {
            // 65535 and 1 were queued, 2 and 3 taken by messages dropped since; then a clean shutdown
            s.restore(stored(3, List.of(queued(1, 65535), queued(2, 1))));
            s.attach(link);
            s.deliver(s.stored(qos1()));
        });

        assertThat(link.ids).containsExactly(65535, 1, 4);
        loop.run(s::end);
    }
}
