package io.starling.broker.core.session;

import io.starling.broker.core.BrokerSettings;
import io.starling.broker.core.DropCounters;
import io.starling.broker.core.routing.Delivery;
import io.starling.broker.core.store.MessageQueue;
import io.starling.broker.core.store.StoredState;
import io.starling.broker.core.time.Clock;
import io.starling.mqtt.codec.QoS;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one session sends: the inflight window, the queue behind it, and the rules that move a
 * delivery between them and the attached connection: the client's Receive Maximum and
 * {@code max_inflight_*}, {@code max_queued_*}, the connection's writability (a client that is not
 * reading gets nothing more in its socket buffer: issue 14), message expiry, and the ACL again at
 * send time. Re-sends after a reconnect (MQTT-4.4.0-1) and the acknowledgements that free the window
 * are here too. Split from {@link Session} (issue 14), which keeps who owns it, its lifetime, its
 * subscriptions and the incoming QoS 2 ids.
 *
 * <p>Threading: the session's owner loop, as the session; {@link #canTakeMessageNow()} may be read from
 * any thread (share groups on other loops).
 */
final class OutgoingMessages {
    private static final Logger LOG = LoggerFactory.getLogger(Session.class);

    private final Session session;
    private final BrokerSettings settings;
    private final DropCounters drops;
    private final Clock clock;
    private final SessionJournal journal;
    private final MessageQueue queue;
    private final InflightWindow inflight;
    private SessionLink link;
    /** Inflight entries of an earlier connection not yet re-sent on this one. */
    private int pendingResends;
    /** Whether a message sent now would go out at once; read by share groups on other loops. */
    private volatile boolean canTakeMessageNow;

    OutgoingMessages(Session session, SessionContext context, SessionJournal journal, MessageQueue queue) {
        this.session = session;
        this.settings = context.settings();
        this.drops = context.drops();
        this.clock = context.clock();
        this.journal = journal;
        this.queue = new CountedQueue(queue, context.counters());
        this.inflight = new InflightWindow(context.counters());
    }

    SessionLink link() {
        return link;
    }

    /** True when online with room in the inflight window: a share group prefers such members. */
    boolean canTakeMessageNow() {
        return canTakeMessageNow;
    }

    /** Takes a delivery for a live session on its owner loop (and its message reference). */
    void accept(Delivery delivery) {
        if (isExpired(delivery)) {
            drops.expired.increment();
            drop(delivery);
            return;
        }
        if (delivery.qos() == QoS.AT_MOST_ONCE) {
            deliverQos0(delivery);
        } else if (link != null && queue.size() == 0 && windowHasRoom() && link.isWritable()) {
            sendInflight(delivery);
        } else {
            enqueue(delivery);
        }
    }

    /** A connection attached: what it had not acknowledged is re-sent first, then the queue. */
    void attach(SessionLink next) {
        link = next;
        for (InflightWindow.Entry e : inflight.entries()) {
            e.markForResend();
        }
        pendingResends = inflight.size();
        drainQueue();
    }

    /** The connection went; what stays inflight until the client comes back lets go of its read buffers. */
    void detach() {
        stop();
        inflight.compactPayloads();
    }

    /** Nothing more is sent. */
    void stop() {
        link = null;
        canTakeMessageNow = false;
    }

    /** Puts back a message of a session read from the store. */
    void restore(StoredState.Outgoing o) {
        if (o.isInflight()) {
            inflight.restore(o.packetId(), o.delivery(), o.seq());
        } else {
            queue.add(o.delivery());
        }
    }

    /** Empties the window and the queue in memory, leaving the store alone. */
    void clear() {
        inflight.clear();
        pendingResends = 0;
        queue.clear();
    }

    /** Releases a delivery that will not be sent, and forgets it in the store. */
    void drop(Delivery d) {
        journal.done(d);
        d.message().release();
    }

    private void updateCanTakeMessageNow() {
        boolean now = link != null && windowHasRoom();
        if (now != canTakeMessageNow) {
            canTakeMessageNow = now;
        }
    }

    /**
     * Messages that came through a shared subscription and were not acknowledged go to another member
     * of their group when the session ends (MQTT 5 §4.8.2).
     */
    void handOnSharedMessages() {
        for (InflightWindow.Entry e : inflight.entries()) {
            if (e.delivery() != null && e.delivery().share() != null) {
                e.delivery().share().redeliver(e.delivery(), session);
                e.detachDelivery();
            }
        }
        Delivery d;
        java.util.ArrayDeque<Delivery> keep = new java.util.ArrayDeque<>();
        while ((d = queue.poll()) != null) {
            if (d.share() != null) {
                d.share().redeliver(d, session); // the session's stored state goes as a whole when it ends
            } else {
                keep.add(d);
            }
        }
        keep.forEach(queue::add);
    }

    private void deliverQos0(Delivery delivery) {
        if (link == null) {
            if (session.isPersistent() && settings.queueQos0Messages()) {
                enqueue(delivery);
                return;
            }
            drops.offlineQos0.increment();
        } else if (link.isWritable()) {
            link.sendPublish(delivery, 0, false);
        } else {
            drops.notWritable.increment();
            DropLog.warn(LOG, "Outgoing QoS 0 message on {} to {} dropped: client not reading fast enough",
                    delivery.message().topic(), session.clientId());
        }
        delivery.message().release();
    }

    /**
     * Whether a message at {@code qos} delivered now would be dropped: the queue is full (max_queued_*),
     * or, at QoS 0, the client is not reading or away. A walk over retained messages stops here.
     */
    boolean cannotTakeMore(QoS qos) {
        if (qos == QoS.AT_MOST_ONCE && link != null) {
            return !link.isWritable();
        }
        if (qos == QoS.AT_MOST_ONCE && !(session.isPersistent() && settings.queueQos0Messages())) {
            return true;
        }
        return (link == null || !windowHasRoom()) && queueIsFull(0);
    }

    private boolean queueIsFull(int adding) {
        return settings.maxQueuedMessages() > 0 && queue.size() >= settings.maxQueuedMessages()
                || settings.maxQueuedBytes() > 0 && queue.bytes() + adding > settings.maxQueuedBytes();
    }

    private void enqueue(Delivery delivery) {
        boolean full = queueIsFull(delivery.message().payloadSize());
        if (full) {
            drops.queueFull.increment();
            DropLog.warn(LOG, "Outgoing message on {} to {} dropped: queue full ({} messages)",
                    delivery.message().topic(), session.clientId(), queue.size());
            drop(delivery);
            return;
        }
        queue.add(delivery.compacted()); // kept for a while: not the whole read buffer with it
    }

    private void sendInflight(Delivery delivery) {
        InflightWindow.Stage stage = delivery.qos() == QoS.AT_LEAST_ONCE
                ? InflightWindow.Stage.AWAITING_PUBACK : InflightWindow.Stage.AWAITING_PUBREC;
        InflightWindow.Entry e = inflight.add(delivery, stage);
        journal.sent(delivery, e.packetId());
        if (!link.sendPublish(delivery, e.packetId(), false)) {
            journal.done(delivery);
            inflight.remove(e.packetId());
        }
        updateCanTakeMessageNow();
    }

    /** The outgoing window: the broker's limit, or the client's Receive Maximum when smaller. */
    private int inflightLimit() {
        int limit = settings.inflightLimit();
        return link == null ? limit : Math.min(limit, link.receiveMaximum());
    }

    /**
     * Whether one more QoS 1/2 message may go out now: below the inflight count, and below
     * max_inflight_bytes unless the window is empty (a large message still goes, alone).
     */
    private boolean windowHasRoom() {
        if (inflight.size() >= inflightLimit()) {
            return false;
        }
        long maxBytes = settings.maxInflightBytes();
        return maxBytes == 0 || inflight.size() == 0 || inflight.bytes() < maxBytes;
    }

    /**
     * Whether a message that waited here may still go to this session: the ACL was checked when it was
     * routed, but the rules, or the listener they came from, may have changed since (reload, restart).
     * Counts and logs (once per interval) what it refuses.
     */
    private boolean mayStillRead(Delivery d) {
        return mayStillRead(d.message().topic());
    }

    private boolean mayStillRead(String topic) {
        if (session.mayRead(topic)) {
            return true;
        }
        drops.notAuthorized.increment();
        DropLog.warn(LOG, "Queued or inflight message on {} to {} dropped: no longer allowed by the ACL",
                topic, session.clientId());
        return false;
    }

    /** Whether a message's MQTT 5 Message Expiry Interval has passed: it must not be delivered. */
    private boolean isExpired(Delivery d) {
        long at = d.message().expiryAtNanos();
        return at != io.starling.broker.core.routing.Message.NEVER_EXPIRES && clock.nanoTime() - at >= 0;
    }

    /** Moves queued messages into the inflight window while it has room and a client is attached. */
    private void drainQueue() {
        moveQueueToWindow();
        updateCanTakeMessageNow();
    }

    private void moveQueueToWindow() {
        resendPending();
        // A client that is not reading gets nothing more in its socket's buffer: the messages wait in
        // the bounded queue instead (issue 14), and onWritable() goes on when it catches up.
        while (link != null && windowHasRoom() && link.isWritable()) {
            Delivery d = queue.poll();
            if (d == null) {
                return;
            }
            if (isExpired(d)) {
                drops.expired.increment();
                drop(d);
                continue;
            }
            if (!mayStillRead(d)) {
                drop(d);
                continue;
            }
            if (d.qos() == QoS.AT_MOST_ONCE) {
                deliverQos0(d);
            } else {
                sendInflight(d);
            }
        }
    }

    /** The client's connection took its backed-up output: send what waited in the queue. */
    void onWritable() {
        if (link != null && !session.isEnded()) {
            drainQueue();
        }
    }

    InflightWindow.Stage inflightStage(int packetId) {
        InflightWindow.Entry e = inflight.get(packetId);
        return e == null ? null : e.stage();
    }

    /** PUBACK from the client; false when no QoS 1 message with that id is inflight. */
    boolean onPubAck(int packetId) {
        InflightWindow.Entry e = inflight.get(packetId);
        if (e == null || e.stage() != InflightWindow.Stage.AWAITING_PUBACK) {
            return false;
        }
        if (e.resendPending()) {
            pendingResends--; // acknowledged before we got to re-send it
        }
        journal.done(e.delivery());
        inflight.remove(packetId);
        drainQueue();
        return true;
    }

    /** PUBREC from the client; false when no QoS 2 message with that id is inflight. */
    boolean onPubRec(int packetId) {
        InflightWindow.Entry e = inflight.get(packetId);
        if (e != null && e.stage() == InflightWindow.Stage.AWAITING_PUBREC) {
            journal.released(e.storeSeq(), packetId, e.delivery().message());
        }
        return inflight.received(packetId);
    }

    /** PUBCOMP from the client; false when no PUBREL with that id was outstanding. */
    boolean onPubComp(int packetId) {
        InflightWindow.Entry e = inflight.get(packetId);
        if (e == null || e.stage() != InflightWindow.Stage.AWAITING_PUBCOMP) {
            return false;
        }
        if (e.resendPending()) {
            pendingResends--; // acknowledged before we got to re-send it
        }
        journal.doneReleased(e.storeSeq());
        inflight.remove(packetId);
        drainQueue();
        return true;
    }

    int inflightCount() {
        return inflight.size();
    }

    int queuedCount() {
        return queue.size();
    }

    /**
     * Re-sends unacknowledged messages of an earlier connection (PUBLISH with DUP, or PUBREL), no more
     * at a time than the new connection's Receive Maximum allows; the rest follow as acks free room.
     */
    private void resendPending() {
        if (pendingResends == 0 || link == null) {
            return;
        }
        int onWire = inflight.size() - pendingResends;
        java.util.List<Integer> undeliverable = null;
        for (InflightWindow.Entry e : inflight.entries()) {
            if (onWire >= inflightLimit()) {
                break;
            }
            if (!e.resendPending()) {
                continue;
            }
            e.resent();
            pendingResends--;
            onWire++;
            if (e.stage() == InflightWindow.Stage.AWAITING_PUBCOMP) {
                if (e.releasedTopic() != null && !mayStillRead(e.releasedTopic())) {
                    // As mosquitto at reconnect: a flow whose topic the reader may no longer read
                    // ends here, PUBREL and all; the client is left with an id it never completes.
                    journal.doneReleased(e.storeSeq());
                    undeliverable = undeliverable == null ? new java.util.ArrayList<>() : undeliverable;
                    undeliverable.add(e.packetId());
                    onWire--;
                } else {
                    link.sendPubRel(e.packetId());
                }
            } else if (isExpired(e.delivery()) || !mayStillRead(e.delivery())
                    || !link.sendPublish(e.delivery(), e.packetId(), true)) {
                if (isExpired(e.delivery())) {
                    drops.expired.increment();
                }
                if (undeliverable == null) {
                    undeliverable = new java.util.ArrayList<>();
                }
                journal.done(e.delivery());
                undeliverable.add(e.packetId());
                onWire--;
            }
        }
        if (undeliverable != null) {
            undeliverable.forEach(inflight::remove);
        }
    }
}
