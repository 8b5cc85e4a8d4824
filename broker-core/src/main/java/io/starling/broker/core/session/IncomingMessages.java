package io.starling.broker.core.session;

import io.starling.broker.core.routing.Message;
import java.util.HashMap;
import java.util.Map;

/**
 * A session's incoming QoS 2 messages awaiting PUBREL, by packet id. The broker passes such a message
 * on at PUBREL, not at PUBLISH (MQTT 3.1.1 §4.3.3 method B, as mosquitto does): until then it is held
 * here, and, for a session on disk, in the store, so that a PUBREC reports a message that survives a
 * restart, and a PUBREL after a reconnect, a takeover or a restart still passes it on.
 *
 * <p>Threading: the session's owner loop. Ownership: holds one reference per message; {@link #take}
 * hands it to the caller, {@link #hold}, {@link #discard} and {@link #clear} release what they drop.
 *
 * <p>Memory (issue 8): a session makes this on first use, and this its map on the first message.
 */
public final class IncomingMessages {
    private final SessionJournal journal;
    private Map<Integer, Message> byId;
    private long heldBytes;

    IncomingMessages(SessionJournal journal) {
        this.journal = journal;
    }

    /** The message held under {@code packetId}, or null; the caller takes no reference. */
    public Message get(int packetId) {
        return byId == null ? null : byId.get(packetId);
    }

    /**
     * Holds {@code message} until its PUBREL (taking over the caller's reference), replacing and
     * releasing one held under the same id, and stores it with the session.
     */
    public void hold(int packetId, Message message) {
        Message kept = message.compacted(); // held for as long as the client takes: not a slice of a read buffer
        journal.incomingQos2(packetId, kept);
        put(packetId, kept);
    }

    /**
     * PUBREL: removes the message held under {@code packetId} and hands its reference to the caller,
     * who passes it on; null when none is held. The store keeps it until {@link #done}, called once
     * the routing has written what it stores: a crash in between keeps the message (passed on again at
     * the client's next PUBREL) rather than losing it.
     */
    public Message take(int packetId) {
        Message m = byId == null ? null : byId.remove(packetId);
        if (m != null) {
            heldBytes -= m.payloadSize();
        }
        return m;
    }

    /** The payload bytes held. */
    public long heldBytes() {
        return heldBytes;
    }

    /** The flow of a message {@link #take taken} is over: the store forgets it. */
    public void done(int packetId) {
        journal.incomingQos2Done(packetId);
    }

    /** Forgets the message held under {@code packetId} without passing it on (its id was reused, or it could not be stored). */
    public void discard(int packetId) {
        Message m = take(packetId);
        if (m != null) {
            m.release();
            journal.incomingQos2Done(packetId);
        }
    }

    public int size() {
        return byId == null ? 0 : byId.size();
    }

    /** Puts back a message read from the store at start-up (taking over its reference). */
    void restore(int packetId, Message message) {
        put(packetId, message);
    }

    /** Takes every message held out (with its reference), by packet id, for a move to another node; leaves none. */
    Map<Integer, Message> handOver() {
        Map<Integer, Message> out = byId == null ? Map.of() : new java.util.TreeMap<>(byId);
        byId = null;
        heldBytes = 0;
        return out;
    }

    /** Releases every message held, leaving the store alone. */
    void clear() {
        if (byId != null) {
            byId.values().forEach(Message::release);
            byId = null;
            heldBytes = 0;
        }
    }

    private void put(int packetId, Message message) {
        if (byId == null) {
            byId = new HashMap<>(4);
        }
        Message previous = byId.put(packetId, message);
        heldBytes += message.payloadSize();
        if (previous != null) {
            heldBytes -= previous.payloadSize();
            previous.release();
        }
    }
}
