package io.starling.broker.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.routing.Delivery;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.store.SessionStore;
import io.starling.broker.core.store.StoredSession;
import io.starling.broker.core.store.StoredState;
import io.starling.broker.core.store.memory.InMemorySessionStore;
import io.starling.broker.core.testing.Payloads;
import io.starling.broker.core.time.Clock;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.QoS;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a session tells the store, and that sessions of a broker without one share a journal. */
class SessionJournalTest {
    private final Payloads payloads = new Payloads();
    private final InMemorySessionStore store = new InMemorySessionStore(Clock.SYSTEM);

    @AfterEach
    void tearDown() {
        store.close();
        payloads.assertAllReleased();
    }

    private Delivery delivery(QoS qos) {
        Message m = new Message("t", qos, false, payloads.of("p"), Properties.EMPTY, "p", Message.NEVER_EXPIRES);
        return new Delivery(m, qos, false, List.of());
    }

    /** Records a delivery, returning its place in the stored queue; the store keeps its own copy. */
    private long recordedSeq(SessionJournal journal, QoS qos) {
        Delivery d = delivery(qos);
        Delivery recorded = journal.record(d);
        d.message().release();
        return recorded.storeSeq();
    }

    @Test
    void sessionsWithoutAStore_shareOneJournal_andWithAStoreEachHasItsOwn() {
        assertThat(SessionJournal.of("a", SessionStore.NONE)).isSameAs(SessionJournal.of("b", SessionStore.NONE));
        assertThat(SessionJournal.of("a", store)).isNotSameAs(SessionJournal.of("b", store));
    }

    @Test
    void journalWithoutAStore_staysInactive_soDeliveriesAreNotNumbered() {
        SessionJournal journal = SessionJournal.of("a", SessionStore.NONE);

        journal.save(new StoredSession("a", null, 60, 0), Map.of());
        journal.restored(41);

        assertThat(journal.isActive()).isFalse();
        assertThat(recordedSeq(journal, QoS.AT_LEAST_ONCE)).isZero();
        assertThat(SessionJournal.of("b", SessionStore.NONE).isActive()).isFalse();
    }

    @Test
    void journalNotYetOnDisk_doesNotNumberDeliveries() {
        SessionJournal journal = SessionJournal.of("a", store);

        assertThat(recordedSeq(journal, QoS.AT_LEAST_ONCE)).isZero();
    }

    @Test
    void savedJournal_numbersQos1And2DeliveriesFromOne_andLeavesQos0Alone() {
        SessionJournal journal = SessionJournal.of("a", store);
        journal.save(new StoredSession("a", null, 60, 0), Map.of());

        assertThat(recordedSeq(journal, QoS.AT_LEAST_ONCE)).isEqualTo(1);
        assertThat(recordedSeq(journal, QoS.AT_MOST_ONCE)).isZero();
        assertThat(recordedSeq(journal, QoS.EXACTLY_ONCE)).isEqualTo(2);
        List<StoredState.Outgoing> stored = store.load().sessions().get(0).outgoing();
        assertThat(stored).extracting(StoredState.Outgoing::seq).containsExactlyInAnyOrder(1L, 2L);
        stored.forEach(o -> o.delivery().message().release()); // load() hands the caller a reference each
    }

    @Test
    void restoredJournal_numbersOnAfterTheLastStoredPlace() {
        SessionJournal journal = SessionJournal.of("a", store);

        journal.restored(41);

        assertThat(journal.isActive()).isTrue();
        assertThat(recordedSeq(journal, QoS.AT_LEAST_ONCE)).isEqualTo(42);
        assertThat(recordedSeq(journal, QoS.AT_LEAST_ONCE)).isEqualTo(43);
    }
}
