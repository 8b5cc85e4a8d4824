package io.starling.broker.core.session;

import io.starling.broker.core.routing.Delivery;
import io.starling.broker.core.store.MessageQueue;
import io.starling.broker.core.store.memory.InMemoryMessageQueue;
import io.starling.broker.core.store.StoredState;
import io.starling.broker.core.sys.Counter;
import io.starling.broker.core.sys.LoopCounters;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.ReasonCode;
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
 * <p>Threading: the session's owner loop, as the session.
 *
 * <p>Memory: the session makes this object for the first message it sends, queues or restores, not
 * with itself (issue 16: 48 B per idle connection); the packet-id counter, the attached link and
 * whether it can take a message now stay with the session, which other loops read. The inflight
 * window and the queue are made by the first message that goes into each; read paths treat a missing
 * one as empty. Once made they stay until {@link #clear}.
 */
final class OutgoingMessages {
    private static final Logger LOG = LoggerFactory.getLogger(Session.class);

    private final Session session;
    /** The broker-wide settings, counters and clock: one reference, not one each (issue 16: heap per connection). */
    private final SessionContext context;
    private final SessionJournal journal;
    /** Null until a message is queued. */
    private MessageQueue queue;
    /** Null until a message is sent or restored inflight. */
    private InflightWindow inflight;
    /** Inflight entries of an earlier connection not yet re-sent on this one. */
    private int pendingResends;

    OutgoingMessages(Session session, SessionContext context, SessionJournal journal) {
        this.session = session;
        this.context = context;
        this.journal = journal;
    }

    /** The inflight window, made on first use. */
    private InflightWindow inflight() {
        if (inflight == null) {
            inflight = new InflightWindow(context.counters());
        }
        return inflight;
    }

    private int inflightSize() {
        return inflight == null ? 0 : inflight.size();
    }

    private InflightWindow.Entry inflightEntry(int packetId) {
        return inflight == null ? null : inflight.get(packetId);
    }

    private java.util.Collection<InflightWindow.Entry> inflightEntries() {
        return inflight == null ? java.util.List.of() : inflight.entries();
    }

    private int queueSize() {
        return queue == null ? 0 : queue.size();
    }

    /** Takes a delivery for a live session on its owner loop (and its message reference). */
    void accept(Delivery delivery) {
        if (delivery.qos() != QoS.AT_MOST_ONCE && delivery.packetId() == 0) {
            delivery = delivery.withPacketId(session.takePacketId()); // not routed: made here (tests)
        }
        if (isExpired(delivery)) {
            context.drops().expired.increment();
            drop(delivery);
            return;
        }
        if (delivery.qos() == QoS.AT_MOST_ONCE) {
            deliverQos0(delivery);
        } else if (session.link() != null && queueSize() == 0 && windowHasRoom() && session.link().isWritable()) {
            sendInflight(delivery);
        } else {
            enqueue(delivery);
        }
    }

    /** A connection attached: what it had not acknowledged is re-sent first, then the queue. */
    void attach() {
        for (InflightWindow.Entry e : inflightEntries()) {
            e.markForResend();
        }
        pendingResends = inflightSize();
        drainQueue();
    }

    /** The connection went; what stays inflight until the client comes back lets go of its read buffers. */
    void detach() {
        if (inflight != null) {
            inflight.compactPayloads();
        }
    }


    /**
     * Puts back a message of a session read from the store, after its packet-id counter. An id newer
     * than the stored counter (taken after the session's header was last written: a crash) moves the
     * counter on to it ({@link Session#packetIdRestored}), so that the ids it gives next follow the ones kept.
     */
    void restore(StoredState.Outgoing o) {
        int id;
        if (o.isInflight()) {
            id = o.packetId();
            inflight().restore(o.packetId(), o.delivery(), o.seq());
        } else {
            id = o.delivery().packetId();
            queueAdd(o.delivery());
        }
        session.packetIdRestored(id);
    }

    /**
     * Takes the inflight window (oldest first, a QoS 2 message past PUBREC with a null delivery) and then
     * the queue out of this session, handing over their message references, for a move to another
     * node; leaves both empty. Store sequence numbers are this node's: the entries carry 0.
     */
    java.util.List<StoredState.Outgoing> handOver() {
        java.util.List<StoredState.Outgoing> out = new java.util.ArrayList<>(
                (inflight == null ? 0 : inflight.size()) + (queue == null ? 0 : queue.size()));
        if (inflight != null) {
            for (InflightWindow.Entry e : inflight.entries()) {
                Delivery d = e.delivery();
                out.add(new StoredState.Outgoing(0, d == null ? null : portable(d), e.packetId()));
                e.detachDelivery();
            }
        }
        Delivery d;
        while ((d = queuePoll()) != null) {
            out.add(new StoredState.Outgoing(0, portable(d), 0));
        }
        clear();
        return out;
    }

    /** Without what belongs to this node: its store place, its share group object, its tree's generation. */
    private static Delivery portable(Delivery d) {
        return new Delivery(d.message(), d.qos(), d.retain(), d.subscriptionIds(), null, 0, d.packetId(),
                Delivery.NOT_MATCHED);
    }

    /** Empties the window and the queue in memory, leaving the store alone (the session resets its packet ids). */
    void clear() {
        if (inflight != null) {
            inflight.clear();
            inflight = null;
        }
        pendingResends = 0;
        queueClear();
    }

    /** Releases a delivery that will not be sent, and forgets it in the store. */
    void drop(Delivery d) {
        journal.done(d);
        d.message().release();
    }

    private void updateCanTakeMessageNow() {
        session.setCanTakeMessageNow(session.link() != null && windowHasRoom());
    }

    /**
     * Messages that came through a shared subscription and were not acknowledged go to another member
     * of their group when the session ends (MQTT 5 §4.8.2).
     */
    void handOnSharedMessages() {
        for (InflightWindow.Entry e : inflightEntries()) {
            if (e.delivery() != null && e.delivery().share() != null) {
                e.delivery().share().redeliver(e.delivery(), session);
                e.detachDelivery();
            }
        }
        Delivery d;
        java.util.ArrayDeque<Delivery> keep = new java.util.ArrayDeque<>();
        while ((d = queuePoll()) != null) {
            if (d.share() != null) {
                d.share().redeliver(d, session); // the session's stored state goes as a whole when it ends
            } else {
                keep.add(d);
            }
        }
        keep.forEach(this::queueAdd);
    }

    /** queue_qos0_messages, or a session that asks for it (a lazy bridge's). */
    private boolean queuesQos0() {
        return context.settings().queueQos0Messages() || session.queuesQos0WhileOffline();
    }

    private void deliverQos0(Delivery delivery) {
        if (session.link() == null) {
            if (session.isPersistent() && queuesQos0()) {
                enqueue(delivery);
                return;
            }
            context.drops().offlineQos0.increment();
        } else if (session.link().isWritable()) {
            session.link().sendPublish(delivery, 0, false);
        } else {
            context.drops().notWritable.increment();
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
        if (qos == QoS.AT_MOST_ONCE && session.link() != null) {
            return !session.link().isWritable();
        }
        if (qos == QoS.AT_MOST_ONCE && !(session.isPersistent() && queuesQos0())) {
            return true;
        }
        return (session.link() == null || !windowHasRoom()) && queueIsFull(0);
    }

    private boolean queueIsFull(int adding) {
        if (queue == null) {
            return context.settings().maxQueuedBytes() > 0 && adding > context.settings().maxQueuedBytes();
        }
        return context.settings().maxQueuedMessages() > 0 && queue.size() >= context.settings().maxQueuedMessages()
                || context.settings().maxQueuedBytes() > 0 && queue.bytes() + adding > context.settings().maxQueuedBytes();
    }

    /*
     * The queue's changes go through these three, which keep the broker's QUEUED_MESSAGES and
     * QUEUED_BYTES gauges in step on the counters of the loop that makes them (the session's owner).
     */
    private void queueAdd(Delivery delivery) {
        if (queue == null) {
            queue = new InMemoryMessageQueue();
        }
        queue.add(delivery);
        queueChanged(1, delivery.message().payloadSize());
    }

    private Delivery queuePoll() {
        Delivery d = queue == null ? null : queue.poll();
        if (d != null) {
            queueChanged(-1, -d.message().payloadSize());
        }
        return d;
    }

    private void queueClear() {
        if (queue != null) {
            queueChanged(-queue.size(), -queue.bytes());
            queue.clear();
            queue = null;
        }
    }

    private void queueChanged(int messages, long bytes) {
        LoopCounters mine = context.counters().local();
        mine.add(Counter.QUEUED_MESSAGES, messages);
        mine.add(Counter.QUEUED_BYTES, bytes);
    }

    private void enqueue(Delivery delivery) {
        boolean full = queueIsFull(delivery.message().payloadSize());
        if (full) {
            context.drops().queueFull.increment();
            DropLog.warn(LOG, "Outgoing message on {} to {} dropped: queue full ({} messages)",
                    delivery.message().topic(), session.clientId(), queueSize());
            drop(delivery);
            return;
        }
        queueAdd(delivery.compacted()); // kept for a while: not the whole read buffer with it
    }

    private void sendInflight(Delivery delivery) {
        InflightWindow.Stage stage = delivery.qos() == QoS.AT_LEAST_ONCE
                ? InflightWindow.Stage.AWAITING_PUBACK : InflightWindow.Stage.AWAITING_PUBREC;
        int id = delivery.packetId();
        InflightWindow inflight = inflight();
        while (id == 0 || inflight.contains(id)) {
            // MQTT-2.3.1-2: after the counter came round, an id may still be inflight (mosquitto would
            // send it again); the window is below 65,535 entries, so a free one exists. (0: a message
            // restored from a store written before queued messages kept their ids.)
            id = session.takePacketId();
        }
        InflightWindow.Entry e = inflight.add(delivery, stage, id);
        journal.sent(delivery, e.packetId());
        if (!session.link().sendPublish(delivery, e.packetId(), false)) {
            journal.done(delivery);
            inflight.remove(e.packetId());
        }
        updateCanTakeMessageNow();
    }

    /** The outgoing window: the broker's limit, or the client's Receive Maximum when smaller. */
    private int inflightLimit() {
        return inflightLimit(context, session.link());
    }

    /** The outgoing window's size with {@code link} attached (null: none): what an empty window has room for. */
    static int inflightLimit(SessionContext context, SessionLink link) {
        int limit = context.settings().inflightLimit();
        return link == null ? limit : Math.min(limit, link.receiveMaximum());
    }

    /**
     * Whether one more QoS 1/2 message may go out now: below the inflight count, and below
     * max_inflight_bytes unless the window is empty (a large message still goes, alone).
     */
    private boolean windowHasRoom() {
        int size = inflightSize();
        if (size >= inflightLimit()) {
            return false;
        }
        long maxBytes = context.settings().maxInflightBytes();
        return maxBytes == 0 || size == 0 || inflight.bytes() < maxBytes;
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
        context.drops().notAuthorized.increment();
        DropLog.warn(LOG, "Queued or inflight message on {} to {} dropped: no longer allowed by the ACL",
                topic, session.clientId());
        return false;
    }

    /** Whether a message's MQTT 5 Message Expiry Interval has passed: it must not be delivered. */
    private boolean isExpired(Delivery d) {
        long at = d.message().expiryAtNanos();
        return at != io.starling.broker.core.routing.Message.NEVER_EXPIRES && context.clock().nanoTime() - at >= 0;
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
        while (session.link() != null && windowHasRoom() && session.link().isWritable()) {
            Delivery d = queuePoll();
            if (d == null) {
                return;
            }
            if (isExpired(d)) {
                context.drops().expired.increment();
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
        if (session.link() != null && !session.isEnded()) {
            drainQueue();
        }
    }

    InflightWindow.Stage inflightStage(int packetId) {
        InflightWindow.Entry e = inflightEntry(packetId);
        return e == null ? null : e.stage();
    }

    /** PUBACK from the client; false when no QoS 1 message with that id is inflight. */
    boolean onPubAck(int packetId) {
        InflightWindow.Entry e = inflightEntry(packetId);
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

    /**
     * PUBREC from the client. A reason code of 0x80 or more ends the flow, as mosquitto does it
     * (issue 15): no PUBREL, the id is free and the window's place goes to the next queued message;
     * such a PUBREC for a message not awaiting PUBREC is a protocol error, for an unknown id nothing.
     */
    Session.PubRecResult onPubRec(int packetId, int reasonCode) {
        InflightWindow.Entry e = inflightEntry(packetId);
        boolean awaitingPubRec = e != null && e.stage() == InflightWindow.Stage.AWAITING_PUBREC;
        if (reasonCode >= ReasonCode.UNSPECIFIED_ERROR) {
            if (e == null) {
                return Session.PubRecResult.UNKNOWN_ID;
            }
            if (!awaitingPubRec) {
                return Session.PubRecResult.PROTOCOL_ERROR;
            }
            if (e.resendPending()) {
                pendingResends--; // refused before we got to re-send it
            }
            journal.done(e.delivery());
            inflight.remove(packetId);
            drainQueue();
            return Session.PubRecResult.FLOW_ENDED;
        }
        if (awaitingPubRec) {
            journal.released(e.storeSeq(), packetId, e.delivery().message());
        }
        return inflight != null && inflight.received(packetId) ? Session.PubRecResult.SEND_PUBREL : Session.PubRecResult.UNKNOWN_ID;
    }

    /** PUBCOMP from the client; false when no PUBREL with that id was outstanding. */
    boolean onPubComp(int packetId) {
        InflightWindow.Entry e = inflightEntry(packetId);
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
        return inflightSize();
    }

    int queuedCount() {
        return queueSize();
    }

    /**
     * Re-sends unacknowledged messages of an earlier connection (PUBLISH with DUP, or PUBREL), no more
     * at a time than the new connection's Receive Maximum allows; the rest follow as acks free room.
     */
    private void resendPending() {
        if (pendingResends == 0 || session.link() == null) {
            return;
        }
        int onWire = inflightSize() - pendingResends;
        java.util.List<Integer> undeliverable = null;
        for (InflightWindow.Entry e : inflightEntries()) {
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
                    session.link().sendPubRel(e.packetId());
                }
            } else if (isExpired(e.delivery()) || !mayStillRead(e.delivery())
                    || !session.link().sendPublish(e.delivery(), e.packetId(), true)) {
                if (isExpired(e.delivery())) {
                    context.drops().expired.increment();
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
