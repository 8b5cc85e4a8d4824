package io.starling.mqtt.tools.client;

import io.netty.buffer.ByteBuf;
import io.starling.mqtt.codec.PacketIds;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.QoS;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The client's side of flow control: packet identifiers in use and what waits on each, and the QoS 1 and
 * 2 publishes held back while the window is full.
 *
 * <p>The window is the smaller of the server's Receive Maximum (5.0 §3.2.2.3.3; 65,535 when absent, and
 * for 3.1.1) and the client's own {@code maxInflight}. A publish beyond it waits in a queue, in order,
 * and is sent when an acknowledgement frees a place (§4.9). Identifiers are handed out round-robin, so an
 * identifier is not reused right after its acknowledgement.
 *
 * <p>Threading: the connection's event loop only.
 */
final class SendWindow {
    /** What one packet identifier is waiting for. */
    static final class Pending {
        final Kind kind;
        final CompletableFuture<?> future;
        /** QoS 2 only: PUBREC arrived and PUBREL went out, so PUBCOMP is next. */
        boolean released;

        Pending(Kind kind, CompletableFuture<?> future) {
            this.kind = kind;
            this.future = future;
        }
    }

    enum Kind { PUBLISH_QOS1, PUBLISH_QOS2, SUBSCRIBE, UNSUBSCRIBE }

    /** A publish held back by the window; it owns its payload until it is sent or failed. */
    record QueuedPublish(String topic, ByteBuf payload, QoS qos, boolean retain, Properties properties,
                         CompletableFuture<Void> done) {
    }

    /** Made on first use: 256 KiB that the many idle connections of a load test never need. */
    private Pending[] byId;
    private final ArrayDeque<QueuedPublish> queue = new ArrayDeque<>();
    private int next = 1;
    private int used;
    private int publishLimit;
    private int publishesInflight;

    SendWindow(int publishLimit) {
        this.publishLimit = publishLimit;
    }

    /** Applies the server's Receive Maximum once the CONNACK is in. */
    void limitPublishes(int receiveMaximum) {
        publishLimit = Math.min(publishLimit, receiveMaximum);
    }

    int publishesInflight() {
        return publishesInflight;
    }

    /** Whether a QoS 1 or 2 publish may go out now, with nothing queued before it. */
    boolean hasRoomForPublish() {
        return queue.isEmpty() && publishesInflight < publishLimit && used < PacketIds.MAX;
    }

    boolean hasQueued() {
        return !queue.isEmpty() && publishesInflight < publishLimit && used < PacketIds.MAX;
    }

    void enqueue(QueuedPublish publish) {
        queue.addLast(publish);
    }

    QueuedPublish dequeue() {
        return queue.pollFirst();
    }

    /** Takes a free identifier for {@code pending}, or returns 0 when all 65,535 are in use. */
    int acquire(Pending pending) {
        if (used == PacketIds.MAX) {
            return 0;
        }
        if (byId == null) {
            byId = new Pending[PacketIds.MAX + 1];
        }
        while (byId[next] != null) {
            next = next == PacketIds.MAX ? 1 : next + 1;
        }
        int id = next;
        next = next == PacketIds.MAX ? 1 : next + 1;
        byId[id] = pending;
        used++;
        if (pending.kind == Kind.PUBLISH_QOS1 || pending.kind == Kind.PUBLISH_QOS2) {
            publishesInflight++;
        }
        return id;
    }

    Pending get(int id) {
        return byId == null ? null : byId[id];
    }

    /** Frees the identifier; returns what waited on it, or null when nothing did. */
    Pending release(int id) {
        if (byId == null) {
            return null;
        }
        Pending pending = byId[id];
        if (pending != null) {
            byId[id] = null;
            used--;
            if (pending.kind == Kind.PUBLISH_QOS1 || pending.kind == Kind.PUBLISH_QOS2) {
                publishesInflight--;
            }
        }
        return pending;
    }

    /** Empties the window when the connection is gone; the caller fails the futures and releases the payloads. */
    List<Object> drain() {
        List<Object> all = new ArrayList<>(used + queue.size());
        for (int id = 1; id <= PacketIds.MAX && used > 0; id++) {
            Pending pending = release(id);
            if (pending != null) {
                all.add(pending);
            }
        }
        all.addAll(queue);
        queue.clear();
        return all;
    }
}
