package io.starling.broker.core.session;

import io.starling.broker.core.routing.Delivery;
import io.starling.broker.core.sys.BrokerCounters;
import io.starling.broker.core.sys.Counter;
import io.starling.broker.core.sys.LoopCounters;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Outgoing QoS 1 and 2 messages sent to a client and not yet acknowledged, keyed by packet id, in
 * the order they were sent (the order they are re-sent in on reconnect, MQTT-4.4.0-1).
 *
 * <p>Threading: owned by the session's event loop. Ownership: each entry owns its delivery's
 * message reference until the entry is removed or, for QoS 2, until PUBREC (after which only the
 * packet id is needed to send PUBREL).
 *
 * <p>Every change of its size and bytes is also applied to the broker's {@link Counter#INFLIGHT_MESSAGES}
 * and {@link Counter#INFLIGHT_BYTES} gauges, on the calling (owner) loop's counters.
 *
 * <p>Memory: the map is made by the first {@link #add} or {@link #restore}, since most sessions never
 * have a QoS 1/2 message inflight (issue 8); read paths treat a missing map as empty. Once made it
 * stays until {@link #clear}, so the send/ack path allocates nothing more.
 */
public final class InflightWindow {

    /** Where an outgoing message stands in its flow. */
    public enum Stage { AWAITING_PUBACK, AWAITING_PUBREC, AWAITING_PUBCOMP }

    /** One unacknowledged message; {@code delivery} is null once PUBREC released it. */
    public static final class Entry {
        final int packetId;
        Delivery delivery;
        Stage stage;
        /** Sent on an earlier connection and not yet re-sent on the current one. */
        boolean resendPending;
        /** Its place in the session's stored queue (kept after PUBREC lets the delivery go), or 0. */
        final long storeSeq;
        /** The topic of a QoS 2 message past PUBREC, for the ACL check at reconnect; null when restored from the store. */
        String releasedTopic;

        Entry(int packetId, Delivery delivery, Stage stage, long storeSeq) {
            this.packetId = packetId;
            this.delivery = delivery;
            this.stage = stage;
            this.storeSeq = storeSeq;
        }

        public long storeSeq() {
            return storeSeq;
        }

        public int packetId() {
            return packetId;
        }

        public Delivery delivery() {
            return delivery;
        }

        public Stage stage() {
            return stage;
        }

        /** The topic of a QoS 2 message past PUBREC (its delivery is gone), or null when not known. */
        public String releasedTopic() {
            return releasedTopic;
        }

        boolean resendPending() {
            return resendPending;
        }

        void markForResend() {
            resendPending = true;
        }

        void resent() {
            resendPending = false;
        }

        /** Hands the delivery (and its message reference) to someone else; the entry keeps only its id. */
        public void detachDelivery() {
            delivery = null;
        }
    }

    /** Null until the first entry; see the class note. */
    private LinkedHashMap<Integer, Entry> byId;
    /** Payload bytes of the entries still holding their message (mosquitto's max_inflight_bytes counts these). */
    private long bytes;
    private int nextPacketId = 1;
    private final BrokerCounters counters;

    public InflightWindow(BrokerCounters counters) {
        this.counters = counters;
    }

    /** Keeps the broker-wide gauges in step with this window's size and bytes. */
    private void changed(int entries, long payloadBytes) {
        LoopCounters mine = counters.local();
        mine.add(Counter.INFLIGHT_MESSAGES, entries);
        if (payloadBytes != 0) {
            mine.add(Counter.INFLIGHT_BYTES, payloadBytes);
        }
    }

    /** The map, made on first use; only the paths that add entries call this. */
    private LinkedHashMap<Integer, Entry> byId() {
        if (byId == null) {
            byId = new LinkedHashMap<>();
        }
        return byId;
    }

    public int size() {
        return byId == null ? 0 : byId.size();
    }

    public boolean contains(int packetId) {
        return byId != null && byId.containsKey(packetId);
    }

    public Entry get(int packetId) {
        return byId == null ? null : byId.get(packetId);
    }

    public Collection<Entry> entries() {
        return byId == null ? List.of() : byId.values();
    }

    /**
     * Adds a delivery under a fresh packet id that no inflight message uses (MQTT-2.3.1-2);
     * callers keep the window below 65,535 entries so a free id always exists.
     */
    public Entry add(Delivery delivery, Stage stage) {
        LinkedHashMap<Integer, Entry> entries = byId();
        int id = nextPacketId;
        while (entries.containsKey(id)) {
            id = id == 0xFFFF ? 1 : id + 1;
        }
        nextPacketId = id == 0xFFFF ? 1 : id + 1;
        Entry e = new Entry(id, delivery, stage, delivery.storeSeq());
        entries.put(id, e);
        bytes += delivery.message().payloadSize();
        changed(1, delivery.message().payloadSize());
        return e;
    }

    /**
     * Puts back an entry read from the store at start-up, under the packet id it went out with;
     * {@code delivery} is null for a QoS 2 message past PUBREC.
     */
    public Entry restore(int packetId, Delivery delivery, long storeSeq) {
        Stage stage = delivery == null ? Stage.AWAITING_PUBCOMP
                : delivery.qos() == io.starling.mqtt.codec.QoS.AT_LEAST_ONCE ? Stage.AWAITING_PUBACK : Stage.AWAITING_PUBREC;
        Entry e = new Entry(packetId, delivery, stage, storeSeq);
        Entry replaced = byId().put(packetId, e);
        long added = delivery == null ? 0 : delivery.message().payloadSize();
        bytes += added;
        changed(replaced == null ? 1 : 0, added);
        return e;
    }

    /** Removes an entry and releases its message. Returns false when no such packet id is inflight. */
    public boolean remove(int packetId) {
        Entry e = byId == null ? null : byId.remove(packetId);
        if (e == null) {
            return false;
        }
        long removed = e.delivery == null ? 0 : e.delivery.message().payloadSize();
        if (e.delivery != null) {
            bytes -= removed;
            e.delivery.message().release();
        }
        changed(-1, -removed);
        return true;
    }

    public long bytes() {
        return bytes;
    }

    /** QoS 2 after PUBREC: the message is delivered, only the id awaits PUBCOMP. */
    public boolean received(int packetId) {
        Entry e = get(packetId);
        if (e == null || e.stage != Stage.AWAITING_PUBREC) {
            return e != null && e.stage == Stage.AWAITING_PUBCOMP; // a repeated PUBREC is answered again
        }
        e.stage = Stage.AWAITING_PUBCOMP;
        e.releasedTopic = e.delivery.message().topic();
        bytes -= e.delivery.message().payloadSize();
        changed(0, -e.delivery.message().payloadSize());
        e.delivery.message().release();
        e.delivery = null;
        return true;
    }

    /**
     * Gives each entry a payload of its own where it holds a small part of a large read buffer (see
     * {@link io.starling.broker.core.routing.Message#compacted}): for a window kept while the client is away.
     */
    public void compactPayloads() {
        if (byId == null) {
            return;
        }
        for (Entry e : byId.values()) {
            if (e.delivery != null) {
                e.delivery = e.delivery.compacted();
            }
        }
    }

    /** Releases every entry's message and empties the window, back to holding no map. */
    public void clear() {
        for (Entry e : entries()) {
            if (e.delivery != null) {
                e.delivery.message().release();
            }
        }
        changed(-size(), -bytes);
        byId = null;
        bytes = 0;
    }
}
