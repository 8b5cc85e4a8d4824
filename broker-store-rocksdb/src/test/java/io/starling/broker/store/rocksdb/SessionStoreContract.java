package io.starling.broker.store.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.tuple;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.starling.broker.core.routing.Delivery;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.routing.SubscriberOptions;
import io.starling.broker.core.store.LinkSequence;
import io.starling.broker.core.store.SessionStore;
import io.starling.broker.core.store.StoredSession;
import io.starling.broker.core.store.StoredState;
import io.starling.broker.core.store.StoredState.Outgoing;
import io.starling.broker.core.store.StoredState.RestoredSession;
import io.starling.broker.core.time.Clock;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.SubscriptionOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link SessionStore} must do, run against each implementation by a subclass (as
 * nats-server's store tests run each case as "Memory" and "File").
 *
 * <p>It lives here, beside the durable store, rather than in broker-testkit: the in-memory store's
 * run would have to sit in broker-core's tests, and broker-core cannot depend on broker-testkit,
 * which depends on it.
 *
 * <p>Every payload a test hands to the store is checked at the end to have exactly the test's own
 * reference (the store copies, never retains or releases), and every message the store hands back is
 * released by the test as the ownership rules say, then checked to be at zero.
 */
abstract class SessionStoreContract {
    protected static final Clock CLOCK = Clock.SYSTEM;
    private static final long SESSION_NEVER_EXPIRES = 0xFFFF_FFFFL;

    private final List<ByteBuf> payloads = new ArrayList<>();
    protected SessionStore store;

    /** A new store on new, empty data. */
    protected abstract SessionStore open();

    /** Closes the current store and opens the same data again, as a restarted broker does. */
    protected abstract SessionStore reopen();

    /** How many messages the store keeps for queue entries. */
    protected abstract long storedMessageCount();

    @BeforeEach
    void openStore() {
        store = open();
        store.load().sessions(); // a fresh store has nothing; load() must come first all the same
    }

    @AfterEach
    void closeStore() {
        store.close();
        for (int i = 0; i < payloads.size(); i++) {
            assertThat(payloads.get(i).refCnt()).as("references on test payload #%d", i).isOne();
            payloads.get(i).release();
        }
    }

    // ---- sessions come back ----

    @Test
    void savedSession_withSubscriptionsQueueIncomingQos2AndWill_comesBackAfterReopen() {
        long offlineSince = System.currentTimeMillis();
        store.saveSession(new StoredSession("c1", "alice", 3600, offlineSince));
        SubscriberOptions plain = new SubscriberOptions(SubscriptionOptions.of(QoS.EXACTLY_ONCE), 0);
        SubscriberOptions rich = new SubscriberOptions(new SubscriptionOptions(QoS.AT_LEAST_ONCE, true, true, 2), 7);
        store.saveSubscription("c1", "a/+", rich);
        store.saveSubscription("c1", "$share/g/b/#", plain);
        Message queued = message("a/1", "queued", QoS.AT_LEAST_ONCE);
        Message inflight = message("a/2", "inflight", QoS.EXACTLY_ONCE);
        Message released = message("a/3", "released", QoS.EXACTLY_ONCE);
        store.saveOutgoing("c1", 1, new Delivery(queued, QoS.AT_LEAST_ONCE, true, List.of(7)));
        Delivery sent = new Delivery(inflight, QoS.EXACTLY_ONCE, false, List.of(7, 9));
        store.saveOutgoing("c1", 2, sent);
        store.saveOutgoingSent("c1", 2, sent, 10);
        Delivery pubrec = new Delivery(released, QoS.EXACTLY_ONCE, false, List.of());
        store.saveOutgoing("c1", 3, pubrec);
        store.saveOutgoingSent("c1", 3, pubrec, 11);
        store.saveOutgoingReleased("c1", 3, 11, released);
        Message awaitingPubRel = message("in/5", "awaiting PUBREL", QoS.EXACTLY_ONCE);
        store.saveIncomingQos2("c1", 5, message("in/5", "replaced", QoS.EXACTLY_ONCE));
        store.saveIncomingQos2("c1", 5, awaitingPubRel);
        store.saveIncomingQos2("c1", 6, message("in/6", "released", QoS.EXACTLY_ONCE));
        store.deleteIncomingQos2("c1", 6);
        store.saveWill("c1", message("will/c1", "bye", QoS.AT_LEAST_ONCE), offlineSince + 30_000);

        store = reopen();
        StoredState state = store.load();

        assertThat(state.sessions()).hasSize(1);
        RestoredSession s = state.sessions().get(0);
        assertThat(s.header()).isEqualTo(new StoredSession("c1", "alice", 3600, offlineSince));
        assertThat(s.subscriptions()).isEqualTo(Map.of("a/+", rich, "$share/g/b/#", plain));
        assertThat(s.outgoing()).extracting(Outgoing::seq, Outgoing::packetId).containsExactly(
                tuple(1L, 0), tuple(2L, 10),
                tuple(3L, 11));
        Delivery first = s.outgoing().get(0).delivery();
        assertThat(first.qos()).isEqualTo(QoS.AT_LEAST_ONCE);
        assertThat(first.retain()).isTrue();
        assertThat(first.subscriptionIds()).containsExactly(7);
        assertThat(first.storeSeq()).isEqualTo(1);
        assertThat(first.share()).isNull();
        assertSameMessage(first.message(), queued);
        Delivery second = s.outgoing().get(1).delivery();
        assertThat(second.qos()).isEqualTo(QoS.EXACTLY_ONCE);
        assertThat(second.retain()).isFalse();
        assertThat(second.subscriptionIds()).containsExactly(7, 9);
        assertThat(second.storeSeq()).isEqualTo(2);
        assertSameMessage(second.message(), inflight);
        assertThat(s.outgoing().get(2).delivery()).isNull();
        assertThat(s.outgoing().get(2).isInflight()).isTrue();
        assertThat(s.incomingQos2()).containsOnlyKeys(5);
        Message held = s.incomingQos2().get(5);
        assertThat(held.topic()).isEqualTo("in/5");
        assertThat(held.qos()).isEqualTo(QoS.EXACTLY_ONCE);
        assertThat(text(held)).isEqualTo(text(awaitingPubRel));
        assertThat(held.publisherId()).isEqualTo("pub");
        assertThat(text(s.will())).isEqualTo("bye");
        assertThat(s.will().topic()).isEqualTo("will/c1");
        assertThat(s.willAtMillis()).isEqualTo(offlineSince + 30_000);
        assertThat(state.retained()).isEmpty();
        releaseAll(state);
    }

    @Test
    void queuedEntry_keepsThePacketIdItTookWhenQueued_andTheHeaderTheLastIdTaken() {
        store.saveSession(new StoredSession("c1", null, 3600, System.currentTimeMillis(), 1883, 41));
        Message m = message("a/1", "queued", QoS.AT_LEAST_ONCE);
        store.saveOutgoing("c1", 1, new Delivery(m, QoS.AT_LEAST_ONCE, false, List.of(), null, 0, 42, Delivery.NOT_MATCHED));

        store = reopen();
        StoredState state = store.load();

        RestoredSession s = state.sessions().get(0);
        assertThat(s.header().lastPacketId()).isEqualTo(41);
        assertThat(s.outgoing()).extracting(Outgoing::packetId).containsExactly(0); // still queued
        assertThat(s.outgoing().get(0).delivery().packetId()).isEqualTo(42);
        releaseAll(state);
    }

    @Test
    void savedMessage_keepsEveryFieldAcrossReopen() {
        long expiry = CLOCK.nanoTime() + TimeUnit.HOURS.toNanos(1);
        Properties properties = Properties.builder().text(PropertyId.CONTENT_TYPE, "text/plain")
                .user("k", "v").number(PropertyId.MESSAGE_EXPIRY_INTERVAL, 3600).build();
        Message m = new Message("a/é", QoS.EXACTLY_ONCE, true, payload("héllo"), properties, "publisher-1", expiry);
        store.saveSession(new StoredSession("c1", null, SESSION_NEVER_EXPIRES, 0));
        store.saveOutgoing("c1", 1, new Delivery(m, QoS.AT_LEAST_ONCE, false, List.of()));

        store = reopen();
        StoredState state = store.load();

        Message loaded = state.sessions().get(0).outgoing().get(0).delivery().message();
        assertThat(state.sessions().get(0).header().username()).isNull();
        assertThat(loaded.topic()).isEqualTo("a/é");
        assertThat(loaded.qos()).isEqualTo(QoS.EXACTLY_ONCE);
        assertThat(loaded.retainFlag()).isTrue();
        assertThat(text(loaded)).isEqualTo("héllo");
        assertThat(loaded.properties()).isEqualTo(properties);
        assertThat(loaded.publisherId()).isEqualTo("publisher-1");
        assertThat(loaded.expiryAtNanos()).isCloseTo(expiry, within(
                TimeUnit.SECONDS.toNanos(2)));
        assertThat(loaded.storeId()).isNotZero();
        releaseAll(state);
    }

    @Test
    void savedSessionHeader_isReplacedBySavingItAgain() {
        long now = System.currentTimeMillis();
        store.saveSession(new StoredSession("c1", "alice", 60, 0));
        store.saveSession(new StoredSession("c1", "bob", 120, now));

        store = reopen();
        StoredState state = store.load();

        assertThat(state.sessions()).extracting(RestoredSession::header)
                .containsExactly(new StoredSession("c1", "bob", 120, now));
    }

    @Test
    void deletedSubscriptionAndWill_doNotComeBack() {
        store.saveSession(new StoredSession("c1", null, SESSION_NEVER_EXPIRES, 0));
        SubscriberOptions options = new SubscriberOptions(SubscriptionOptions.of(QoS.AT_LEAST_ONCE), 0);
        store.saveSubscription("c1", "a", options);
        store.saveSubscription("c1", "b", options);
        store.deleteSubscription("c1", "a");
        store.saveWill("c1", message("w", "x", QoS.AT_MOST_ONCE), 1);
        store.deleteWill("c1");

        store = reopen();
        StoredState state = store.load();

        assertThat(state.sessions().get(0).subscriptions()).containsOnlyKeys("b");
        assertThat(state.sessions().get(0).will()).isNull();
    }

    @Test
    void dataOfAClientWithoutASessionHeader_isNotReturned() {
        store.saveSubscription("ghost", "a", new SubscriberOptions(SubscriptionOptions.of(QoS.AT_LEAST_ONCE), 0));
        store.saveOutgoing("ghost", 1, delivery(message("a", "x", QoS.AT_LEAST_ONCE)));

        store = reopen();
        StoredState state = store.load();

        assertThat(state.sessions()).isEmpty();
        assertThat(storedMessageCount()).isZero();
    }

    // ---- deleting and sharing messages ----

    @Test
    void deleteSession_removesEverythingAndDropsItsMessageReferences() {
        Message shared = message("a", "shared", QoS.AT_LEAST_ONCE);
        Message own = message("b", "own", QoS.AT_LEAST_ONCE);
        for (String client : List.of("c1", "c2")) {
            store.saveSession(new StoredSession(client, null, SESSION_NEVER_EXPIRES, 0));
        }
        store.saveSubscription("c1", "a", new SubscriberOptions(SubscriptionOptions.of(QoS.AT_LEAST_ONCE), 0));
        store.saveOutgoing("c1", 1, delivery(shared));
        store.saveOutgoing("c1", 2, delivery(own));
        store.saveIncomingQos2("c1", 3, message("in", "held", QoS.EXACTLY_ONCE));
        store.saveWill("c1", message("w", "x", QoS.AT_MOST_ONCE), 1);
        store.saveOutgoing("c2", 1, delivery(shared));
        assertThat(storedMessageCount()).isEqualTo(2);

        store.deleteSession("c1");

        assertThat(storedMessageCount()).isOne();
        store = reopen();
        StoredState state = store.load();
        assertThat(state.sessions()).extracting(s -> s.header().clientId()).containsExactly("c2");
        assertThat(storedMessageCount()).isOne();
        releaseAll(state);

        store.deleteSession("c2");

        assertThat(storedMessageCount()).isZero();
    }

    @Test
    void messageQueuedForThreeSessions_isStoredOnceAndDeletedAfterItsLastReference() {
        Message m = message("a", "fan-out", QoS.AT_LEAST_ONCE);
        for (String client : List.of("c1", "c2", "c3")) {
            store.saveSession(new StoredSession(client, null, SESSION_NEVER_EXPIRES, 0));
            store.saveOutgoing(client, 1, delivery(m));
        }
        assertThat(storedMessageCount()).isOne();

        store = reopen();
        StoredState state = store.load();
        List<Message> loaded = state.sessions().stream().map(s -> s.outgoing().get(0).delivery().message()).toList();
        assertThat(loaded).hasSize(3);
        assertThat(loaded.get(0)).isSameAs(loaded.get(1)).isSameAs(loaded.get(2));
        assertThat(loaded.get(0).payload().refCnt()).isEqualTo(3);

        store.deleteOutgoing("c1", 1, loaded.get(0));
        store.deleteOutgoing("c2", 1, loaded.get(0));
        assertThat(storedMessageCount()).isOne();
        store.deleteOutgoing("c3", 1, loaded.get(0));
        assertThat(storedMessageCount()).isZero();
        releaseAll(state);
    }

    @Test
    void releasedQos2Entry_dropsItsMessageReference() {
        Message m = message("a", "x", QoS.EXACTLY_ONCE);
        Delivery d = new Delivery(m, QoS.EXACTLY_ONCE, false, List.of());
        store.saveSession(new StoredSession("c1", null, SESSION_NEVER_EXPIRES, 0));
        store.saveOutgoing("c1", 1, d);
        store.saveOutgoingSent("c1", 1, d, 42);

        store.saveOutgoingReleased("c1", 1, 42, m);

        assertThat(storedMessageCount()).isZero();
        store.deleteOutgoing("c1", 1, null);
        store = reopen();
        assertThat(store.load().sessions().get(0).outgoing()).isEmpty();
    }

    @Test
    void messageQueuedAgainAfterItsLastReferenceWentAway_isStoredAgain() {
        Message retainedInMemory = message("a", "again", QoS.AT_LEAST_ONCE);
        store.saveSession(new StoredSession("c1", null, SESSION_NEVER_EXPIRES, 0));
        store.saveSession(new StoredSession("c2", null, SESSION_NEVER_EXPIRES, 0));
        store.saveOutgoing("c1", 1, delivery(retainedInMemory));
        store.deleteOutgoing("c1", 1, retainedInMemory);
        assertThat(storedMessageCount()).isZero();

        store.saveOutgoing("c2", 1, delivery(retainedInMemory));

        assertThat(storedMessageCount()).isOne();
        store = reopen();
        StoredState state = store.load();
        RestoredSession c2 = state.sessions().stream().filter(s -> s.header().clientId().equals("c2")).findFirst()
                .orElseThrow();
        assertThat(text(c2.outgoing().get(0).delivery().message())).isEqualTo("again");
        releaseAll(state);
    }

    @Test
    void sameMessageQueuedFromManyThreadsAtOnce_getsOneIdAndGoesWithItsLastReference() throws Exception {
        Message m = message("retained/topic", "shared", QoS.AT_LEAST_ONCE);
        int threads = 8;
        int perThread = 50;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String client = "c" + t;
                store.saveSession(new StoredSession(client, null, SESSION_NEVER_EXPIRES, 0));
                done.add(pool.submit(() -> {
                    start.await();
                    for (int seq = 1; seq <= perThread; seq++) {
                        store.saveOutgoing(client, seq, delivery(m));
                        if (seq % 2 == 0) {
                            store.deleteOutgoing(client, seq - 1, m);
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (var f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(storedMessageCount()).isOne();

        store = reopen();
        StoredState state = store.load();
        assertThat(state.sessions()).allSatisfy(s -> assertThat(s.outgoing()).hasSize(perThread / 2));
        Message loaded = state.sessions().get(0).outgoing().get(0).delivery().message();
        assertThat(loaded.storeId()).isEqualTo(m.storeId());
        for (RestoredSession s : state.sessions()) {
            for (Outgoing o : s.outgoing()) {
                assertThat(o.delivery().message()).isSameAs(loaded);
                store.deleteOutgoing(s.header().clientId(), o.seq(), loaded);
            }
        }
        assertThat(storedMessageCount()).isZero();
        releaseAll(state);
    }

    // ---- expiry ----

    @Test
    void expiredQueuedMessages_areNotReturnedAndAreDeleted_butSentOnesAreKept() {
        long past = CLOCK.nanoTime() - TimeUnit.SECONDS.toNanos(1);
        long future = CLOCK.nanoTime() + TimeUnit.HOURS.toNanos(1);
        store.saveSession(new StoredSession("c1", null, SESSION_NEVER_EXPIRES, 0));
        store.saveOutgoing("c1", 1, delivery(message("a", "expired", QoS.AT_LEAST_ONCE, past)));
        store.saveOutgoing("c1", 2, delivery(message("a", "live", QoS.AT_LEAST_ONCE, future)));
        Delivery sent = delivery(message("a", "expired but sent", QoS.AT_LEAST_ONCE, past));
        store.saveOutgoing("c1", 3, sent);
        store.saveOutgoingSent("c1", 3, sent, 7);

        store = reopen();
        StoredState state = store.load();

        // MQTT 5 §3.3.2.3.3: only copies whose delivery has not started are deleted.
        assertThat(state.sessions().get(0).outgoing()).extracting(o -> text(o.delivery().message()))
                .containsExactly("live", "expired but sent");
        assertThat(storedMessageCount()).isEqualTo(2);
        releaseAll(state);
        store = reopen();
        StoredState again = store.load();
        assertThat(again.sessions().get(0).outgoing()).hasSize(2);
        releaseAll(again);
    }

    @Test
    void expiredSessions_areNotReturnedAndAreDeletedWithTheirData() {
        long now = System.currentTimeMillis();
        store.saveSession(new StoredSession("expired", null, 10, now - 60_000));
        store.saveSubscription("expired", "a", new SubscriberOptions(SubscriptionOptions.of(QoS.AT_LEAST_ONCE), 0));
        store.saveOutgoing("expired", 1, delivery(message("a", "x", QoS.AT_LEAST_ONCE)));
        store.saveWill("expired", message("w", "x", QoS.AT_MOST_ONCE), now);
        store.saveSession(new StoredSession("never", null, SESSION_NEVER_EXPIRES, now - 60_000));
        store.saveSession(new StoredSession("connected", null, 10, 0));
        store.saveSession(new StoredSession("recent", null, 3600, now - 1_000));

        store = reopen();
        StoredState state = store.load();

        assertThat(state.sessions()).extracting(s -> s.header().clientId())
                .containsExactlyInAnyOrder("never", "connected", "recent");
        assertThat(storedMessageCount()).isZero();
        store = reopen();
        assertThat(store.load().sessions()).hasSize(3);
    }

    // ---- retained ----

    @Test
    void retainedMessages_areSavedReplacedAndDeleted() {
        store.saveRetained(message("a/1", "first", QoS.AT_LEAST_ONCE));
        store.saveRetained(message("a/2", "other", QoS.AT_MOST_ONCE));
        store.saveRetained(message("a/1", "second", QoS.EXACTLY_ONCE));
        store.deleteRetained("a/2");

        store = reopen();
        StoredState state = store.load();

        assertThat(state.retained()).extracting(Message::topic, SessionStoreContract::text, Message::qos)
                .containsExactly(tuple("a/1", "second", QoS.EXACTLY_ONCE));
        assertThat(storedMessageCount()).isZero(); // stored by value, not as a shared message
        releaseAll(state);
    }

    @Test
    void expiredRetainedMessage_isNotReturnedAndIsDeleted() {
        store.saveRetained(message("old", "x", QoS.AT_MOST_ONCE, CLOCK.nanoTime() - 1));
        store.saveRetained(message("new", "y", QoS.AT_MOST_ONCE, CLOCK.nanoTime() + TimeUnit.HOURS.toNanos(1)));

        store = reopen();
        StoredState state = store.load();

        assertThat(state.retained()).extracting(Message::topic).containsExactly("new");
        releaseAll(state);
        store = reopen();
        StoredState again = store.load();
        assertThat(again.retained()).hasSize(1);
        releaseAll(again);
    }

    // ---- durability ----

    @Test
    void afterDurable_runsTasksInTheOrderTheyWereRegistered() throws InterruptedException {
        int tasks = 200;
        List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(tasks);
        store.saveSession(new StoredSession("c1", null, SESSION_NEVER_EXPIRES, 0));
        for (int i = 0; i < tasks; i++) {
            int n = i;
            if (i % 3 == 0) {
                store.saveIncomingQos2("c1", i + 1, message("in", "held", QoS.EXACTLY_ONCE));
            }
            store.afterDurable(Runnable::run, () -> {
                ran.add(n);
                done.countDown();
            });
        }

        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ran).isSorted().hasSize(tasks);
    }

    // ---- ownership ----

    @Test
    void loadedState_holdsOneReferencePerDeliveryRetainedMessageAndWill() {
        Message m = message("a", "x", QoS.AT_LEAST_ONCE);
        store.saveSession(new StoredSession("c1", null, SESSION_NEVER_EXPIRES, 0));
        store.saveOutgoing("c1", 1, delivery(m));
        store.saveOutgoing("c1", 2, delivery(m));
        store.saveWill("c1", m, 5);
        store.saveRetained(m);

        store = reopen();
        StoredState state = store.load();

        RestoredSession s = state.sessions().get(0);
        assertThat(s.outgoing().get(0).delivery().message().payload().refCnt()).isEqualTo(2);
        assertThat(s.will().payload().refCnt()).isOne();
        assertThat(state.retained().get(0).payload().refCnt()).isOne();
        assertThat(m.payload().readerIndex()).isZero();
        releaseAll(state);
    }

    // ---- helpers ----

    protected final Message message(String topic, String text, QoS qos) {
        return message(topic, text, qos, Message.NEVER_EXPIRES);
    }

    protected final Message message(String topic, String text, QoS qos, long expiryAtNanos) {
        return new Message(topic, qos, false, payload(text), Properties.EMPTY, "pub", expiryAtNanos);
    }

    /** A payload the test keeps one reference to; the store must leave it at exactly that. */
    protected final ByteBuf payload(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ByteBuf buf = Unpooled.directBuffer(Math.max(1, bytes.length)).writeBytes(bytes);
        payloads.add(buf);
        return buf;
    }

    protected static Delivery delivery(Message m) {
        return new Delivery(m, m.qos(), false, List.of());
    }

    protected static String text(Message m) {
        return m.payload().toString(StandardCharsets.UTF_8);
    }

    /** Gives back the references {@link SessionStore#load} handed out, and checks none is left. */
    protected static void releaseAll(StoredState state) {
        List<Message> handedOut = new ArrayList<>(state.retained());
        for (RestoredSession s : state.sessions()) {
            s.outgoing().stream().filter(o -> o.delivery() != null).forEach(o -> handedOut.add(o.delivery().message()));
            if (s.will() != null) {
                handedOut.add(s.will());
            }
            handedOut.addAll(s.incomingQos2().values());
        }
        handedOut.forEach(Message::release);
        assertThat(handedOut).allSatisfy(m -> assertThat(m.payload().refCnt()).as("references on %s", m).isZero());
    }

    private static void assertSameMessage(Message loaded, Message saved) {
        assertThat(loaded.topic()).isEqualTo(saved.topic());
        assertThat(loaded.qos()).isEqualTo(saved.qos());
        assertThat(text(loaded)).isEqualTo(text(saved));
        assertThat(loaded.publisherId()).isEqualTo(saved.publisherId());
        assertThat(loaded.expiryAtNanos()).isEqualTo(Message.NEVER_EXPIRES);
        assertThat(loaded.storeId()).isEqualTo(saved.storeId()).isNotZero();
    }

    // ---- cluster node links ----

    @Test
    void linkSequences_comeBackAfterReopen_oneEntryPerOriginNode() {
        store.saveLinkSequence("n1", 7, 3);
        store.saveLinkSequence("n1", 7, 4);
        store.saveLinkSequence("n2", 1, 9);
        store.saveLinkSequence("n1", 8, 1); // n1 restarted: its newer incarnation replaces the older one

        store = reopen();
        store.load();

        assertThat(store.linkSequences()).containsExactlyInAnyOrderEntriesOf(
                Map.of("n1", new LinkSequence(8, 1), "n2", new LinkSequence(1, 9)));
    }

    @Test
    void linkSequences_ofAFreshStore_areNone() {
        assertThat(store.linkSequences()).isEmpty();
    }
}
