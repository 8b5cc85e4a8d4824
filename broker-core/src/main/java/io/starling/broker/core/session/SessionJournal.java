package io.starling.broker.core.session;

import io.starling.broker.core.routing.Delivery;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.routing.SubscriberOptions;
import io.starling.broker.core.store.SessionStore;
import io.starling.broker.core.store.StoredSession;
import io.starling.mqtt.codec.QoS;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Map;

/**
 * Tells the {@link SessionStore} what changes in one session, while the session is on disk: from
 * the moment a connection makes it persistent until it ends or turns non-persistent. Sessions that
 * end with their connection never reach the store.
 *
 * <p>Threading: {@link #record} runs on publishers' loops (a delivery is stored before it is handed
 * to the session's loop, so the publisher's acknowledgement can wait for it); everything else on
 * the session's owner loop.
 *
 * <p>Memory (issue 8: heap per idle connection): only a durable store makes a journal active, so
 * without one ({@link SessionStore#NONE}) a journal never holds state and every session shares
 * {@link #NONE}. The sequence is a plain field advanced through a {@link VarHandle} rather than an
 * {@code AtomicLong}, which would be one more object per session.
 */
final class SessionJournal {
    /** The journal of every session when the broker has no store: it stays inactive. */
    private static final SessionJournal NONE = new SessionJournal(null, SessionStore.NONE);
    private static final VarHandle LAST_SEQ;

    static {
        try {
            LAST_SEQ = MethodHandles.lookup().findVarHandle(SessionJournal.class, "lastSeq", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String clientId;
    private final SessionStore store;
    /** The last place used in the session's stored queue; advanced atomically through {@link #LAST_SEQ}. */
    private volatile long lastSeq;
    private volatile boolean active;

    private SessionJournal(String clientId, SessionStore store) {
        this.clientId = clientId;
        this.store = store;
    }

    /** The journal of a new session: its own, or the shared inactive one when there is no store. */
    static SessionJournal of(String clientId, SessionStore store) {
        return store == SessionStore.NONE ? NONE : new SessionJournal(clientId, store);
    }

    boolean isActive() {
        return active;
    }

    /** Writes the session's header (and, the first time, its subscriptions): it is on disk from now on. */
    void save(StoredSession header, Map<String, SubscriberOptions> subscriptions) {
        if (!store.isDurable()) {
            return;
        }
        store.saveSession(header);
        if (!active) {
            subscriptions.forEach((filter, options) -> store.saveSubscription(clientId, filter, options));
            active = true;
        }
    }

    /** A session read back at start-up: on disk already, with queue entries up to {@code lastSeq}. */
    void restored(long lastSeq) {
        if (!store.isDurable()) {
            return; // nothing came from a disk; keeps the shared NONE journal stateless
        }
        this.lastSeq = Math.max(this.lastSeq, lastSeq);
        active = true;
    }

    /** Deletes everything stored for the session. */
    void forget() {
        if (active) {
            active = false;
            store.deleteSession(clientId);
        }
    }

    /** Stores a QoS 1/2 delivery for this session, returning it with its place in the stored queue. */
    Delivery record(Delivery d) {
        if (!active || d.qos() == QoS.AT_MOST_ONCE || d.isStored()) {
            return d;
        }
        long seq = (long) LAST_SEQ.getAndAdd(this, 1L) + 1;
        store.saveOutgoing(clientId, seq, d);
        return d.withStoreSeq(seq);
    }

    /**
     * Stores a QoS 2 flow past PUBREC (its message let go) under a new place in the queue, for a
     * session taken in from another node; returns the place, 0 without a store.
     */
    long record(Delivery released, int packetId) {
        if (!active) {
            return 0;
        }
        long seq = (long) LAST_SEQ.getAndAdd(this, 1L) + 1;
        store.saveOutgoingReleased(clientId, seq, packetId, null);
        return seq;
    }

    void sent(Delivery d, int packetId) {
        if (d.isStored()) {
            store.saveOutgoingSent(clientId, d.storeSeq(), d, packetId);
        }
    }

    void released(long seq, int packetId, Message message) {
        if (seq != 0) {
            store.saveOutgoingReleased(clientId, seq, packetId, message);
        }
    }

    /** The delivery's flow is over: acknowledged, dropped, expired or handed to another session. */
    void done(Delivery d) {
        if (d.isStored()) {
            store.deleteOutgoing(clientId, d.storeSeq(), d.message());
        }
    }

    /** A QoS 2 flow ended with PUBCOMP after its message was already let go at PUBREC. */
    void doneReleased(long seq) {
        if (seq != 0) {
            store.deleteOutgoing(clientId, seq, null);
        }
    }

    void subscribed(String filter, SubscriberOptions options) {
        if (active) {
            store.saveSubscription(clientId, filter, options);
        }
    }

    void unsubscribed(String filter) {
        if (active) {
            store.deleteSubscription(clientId, filter);
        }
    }

    void incomingQos2(int packetId, Message message) {
        if (active) {
            store.saveIncomingQos2(clientId, packetId, message);
        }
    }

    void incomingQos2Done(int packetId) {
        if (active) {
            store.deleteIncomingQos2(clientId, packetId);
        }
    }

    void willDelayed(Message will, long publishAtMillis) {
        if (active) {
            store.saveWill(clientId, will, publishAtMillis);
        }
    }

    void willGone() {
        if (active) {
            store.deleteWill(clientId);
        }
    }
}
