package io.starling.broker.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.BrokerSettings;
import io.starling.broker.core.DropCounters;
import io.starling.broker.core.session.Session;
import io.starling.broker.core.session.SessionContext;
import io.starling.broker.core.testing.NumberingLink;
import io.starling.broker.core.testing.Payloads;
import io.starling.broker.core.testing.TestLoops;
import io.starling.broker.core.testing.TestLoops.InLoop;
import io.starling.broker.core.time.Clock;
import io.starling.broker.core.topic.SubscriptionTree;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.QoS;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A session moving to another loop (a takeover) while one publisher's messages are on their way to it
 * (issue 14, finding 14): they arrive in the order they were published.
 */
class TakeoverOrderTest {
    private final SubscriptionTree<Subscriber, SubscriberOptions> tree = new SubscriptionTree<>();
    private final SessionContext context = new SessionContext(BrokerSettings.defaults(), new DropCounters(),
            new io.starling.broker.core.sys.BrokerCounters(), tree, new SharedSubscriptions(tree), Clock.SYSTEM,
            io.starling.broker.core.store.SessionStore.NONE);
    private final Payloads payloads = new Payloads();
    private final InLoop publisherLoop = TestLoops.start("publisher");
    private final InLoop oldLoop = TestLoops.start("old-owner");
    private final InLoop newLoop = TestLoops.start("new-owner");
    private Session session;

    @AfterEach
    void tearDown() {
        TestLoops.drain(publisherLoop, oldLoop, newLoop);
        newLoop.run(() -> session.end());
        TestLoops.drain(publisherLoop, oldLoop, newLoop);
        publisherLoop.close();
        oldLoop.close();
        newLoop.close();
        payloads.assertAllReleased();
    }

    private final NumberingLink link = new NumberingLink();

    /** Routes messages {@code first..last} as the publisher's loop would: to whichever loop owns the session now. */
    private void publish(int first, int last) {
        publisherLoop.run(() -> {
            for (int i = first; i <= last; i++) {
                Message m = new Message("t", QoS.AT_MOST_ONCE, false, payloads.of(new byte[] {(byte) i}),
                        Properties.EMPTY, "pub", Message.NEVER_EXPIRES);
                session.owner().deliver(session, new Delivery(m.retain(), QoS.AT_MOST_ONCE, false, List.of()));
                m.release();
            }
        });
    }

    @Test
    void messagesQueuedOnTheOldLoop_arriveBeforeTheOnesRoutedToTheNewLoopAfterTheMove() throws Exception {
        session = new Session("sub", oldLoop.outbox(), context);
        CountDownLatch moved = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch start = new CountDownLatch(1);
        oldLoop.executor().execute(() -> { // the old loop is busy until the publisher has queued 1..3 on it
            try {
                start.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        // The takeover on the old loop: moves the session, attaches the new connection there, and the
        // old loop then stays busy a while (other connections' work) before taking its queue.
        oldLoop.outbox().submit(() -> {
            session.moveTo(newLoop.outbox());
            newLoop.outbox().submit(() -> session.attach(link));
            moved.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        publish(1, 3); // read the old owner: queued behind the takeover on the old loop
        start.countDown();
        assertThat(moved.await(5, TimeUnit.SECONDS)).isTrue();
        publish(4, 6); // routed to the new loop directly
        TestLoops.drain(newLoop);
        release.countDown();
        TestLoops.drain(publisherLoop, oldLoop, newLoop);

        assertThat(link.received()).containsExactly(1, 2, 3, 4, 5, 6);
    }

    @Test
    void sessionEndedWhileDeliveriesWaitForTheMove_releasesThem() throws Exception {
        session = new Session("sub", oldLoop.outbox(), context);
        CountDownLatch moved = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        oldLoop.outbox().submit(() -> {
            session.moveTo(newLoop.outbox());
            moved.countDown();
            try {
                release.await(10, TimeUnit.SECONDS); // the old loop has not yet passed its marker
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(moved.await(5, TimeUnit.SECONDS)).isTrue();
        publish(1, 3); // held on the new loop
        newLoop.run(() -> session.end()); // a clean start, say: the held messages are not wanted any more
        release.countDown();
        TestLoops.drain(publisherLoop, oldLoop, newLoop);

        assertThat(link.received()).isEmpty();
        payloads.assertAllReleased();
    }
}
