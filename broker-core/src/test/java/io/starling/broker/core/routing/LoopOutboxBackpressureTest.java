package io.starling.broker.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.BrokerSettings;
import io.starling.broker.core.DropCounters;
import io.starling.broker.core.OverloadCounters;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A loop that falls behind the loops publishing to it (issue 14, finding 2): its backlog is bounded,
 * the publishers feeding it are paused and resumed, QoS 0 is dropped and counted, QoS 1/2 never.
 */
class LoopOutboxBackpressureTest {
    private static final int LIMIT = 10_000;

    private final DropCounters drops = new DropCounters();
    private final OverloadCounters overload = new OverloadCounters();
    private final SubscriptionTree<Subscriber, SubscriberOptions> tree = new SubscriptionTree<>();
    private final SessionContext context = new SessionContext(BrokerSettings.defaults().toBuilder()
            .maxQueuedMessages(0).maxInflightMessages(0).build(), drops, new io.starling.broker.core.sys.BrokerCounters(),
            tree, new SharedSubscriptions(tree), Clock.SYSTEM, io.starling.broker.core.store.SessionStore.NONE);
    private final Payloads payloads = new Payloads();
    private final InLoop publisherLoop = TestLoops.start("publisher");
    private final InLoop subscriberLoop = TestLoops.start("subscriber");
    private final LoopOutbox target = new LoopOutbox(subscriberLoop.executor(), LIMIT, drops, overload);
    private final NumberingLink link = new NumberingLink();
    private final List<Integer> received = link.received();
    private Session session;

    /** The publisher's connection: records when it is paused and on which thread. */
    private final class Publisher implements LoopOutbox.Producer {
        final List<Boolean> pauses = new CopyOnWriteArrayList<>();
        final List<Thread> threads = new CopyOnWriteArrayList<>();

        @Override
        public void pauseForBacklog(boolean paused) {
            pauses.add(paused);
            threads.add(Thread.currentThread());
        }

        boolean paused() {
            return !pauses.isEmpty() && pauses.get(pauses.size() - 1);
        }
    }

    @AfterEach
    void tearDown() {
        TestLoops.drain(publisherLoop, subscriberLoop);
        subscriberLoop.run(() -> session.end());
        publisherLoop.close();
        subscriberLoop.close();
        payloads.assertAllReleased();
    }

    private void attachSubscriber() {
        session = new Session("sub", target, context);
        subscriberLoop.run(() -> session.attach(link));
    }

    /** Blocks the subscriber's loop until the latch is counted down: the loop that falls behind. */
    private CountDownLatch stallSubscriberLoop() {
        CountDownLatch release = new CountDownLatch(1);
        subscriberLoop.executor().execute(() -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return release;
    }

    /** Hands {@code n} messages of 1,000 bytes to the subscriber's loop while {@code publisher} is being read. */
    private void publish(Publisher publisher, QoS qos, int first, int n) {
        publisherLoop.run(() -> {
            publisherLoop.outbox().reading(publisher);
            for (int i = first; i < first + n; i++) {
                byte[] payload = new byte[1000];
                payload[0] = (byte) i;
                Message m = new Message("t", qos, false, payloads.of(payload), Properties.EMPTY, "pub",
                        Message.NEVER_EXPIRES);
                target.deliver(session, new Delivery(m.retain(), qos, false, List.of()));
                m.release();
            }
            publisherLoop.outbox().reading(null);
        });
    }

    @Test
    void backlogOverTheLimit_pausesThePublisherFeedingIt_andResumesItOnItsOwnLoopOnceHalfIsTaken() {
        attachSubscriber();
        Publisher publisher = new Publisher();
        CountDownLatch release = stallSubscriberLoop();
        publish(publisher, QoS.AT_LEAST_ONCE, 0, 30);
        assertThat(publisher.pauses).containsExactly(true);
        assertThat(overload.readPausedBacklog.sum()).isEqualTo(1);
        assertThat(target.backlog()).isLessThan(LIMIT + 30 * 1100L);

        release.countDown();
        TestLoops.drain(publisherLoop, subscriberLoop);
        assertThat(publisher.pauses).containsExactly(true, false);
        assertThat(publisher.threads).allMatch(t -> t == publisher.threads.get(0));
        assertThat(target.backlog()).isZero();
    }

    @Test
    void qos0ForALoopOverItsBacklog_isDroppedAndCounted_qos1IsQueuedInOrder() {
        attachSubscriber();
        Publisher publisher = new Publisher();
        CountDownLatch release = stallSubscriberLoop();
        publish(publisher, QoS.AT_LEAST_ONCE, 0, 20); // over the limit after 10
        publish(publisher, QoS.AT_MOST_ONCE, 20, 10); // dropped: the loop is behind
        publish(publisher, QoS.AT_LEAST_ONCE, 30, 5); // queued all the same
        assertThat(drops.loopBacklog.sum()).isEqualTo(10);

        release.countDown();
        TestLoops.drain(publisherLoop, subscriberLoop);
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            expected.add(i);
        }
        for (int i = 30; i < 35; i++) {
            expected.add(i);
        }
        assertThat(received).containsExactlyElementsOf(expected);
    }

    @Test
    void backlogUnderTheLimit_neitherPausesNorDrops() {
        attachSubscriber();
        Publisher publisher = new Publisher();
        CountDownLatch release = stallSubscriberLoop();
        publish(publisher, QoS.AT_MOST_ONCE, 0, 5);
        release.countDown();
        TestLoops.drain(publisherLoop, subscriberLoop);
        assertThat(publisher.pauses).isEmpty();
        assertThat(drops.loopBacklog.sum()).isZero();
        assertThat(received).containsExactly(0, 1, 2, 3, 4);
    }
}
