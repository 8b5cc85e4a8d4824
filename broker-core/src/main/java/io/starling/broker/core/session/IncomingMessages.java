package io.starling.broker.core.session;

import io.starling.broker.core.routing.Message;
import java.util.HashMap;
import java.util.Map;

/**
 * A session's incoming QoS 2 messages awaiting PUBREL, by packet id. The broker passes such a message
 * on at PUBREL, not at PUBLISH (MQTT 3.1.1 §4.3.3 method B, as mosquitto does): until then it is held
 * here, and in the store with the session, so that a PUBREL after a reconnect or a restart still
 * releases it.
 *
 * <p>Threading: the session's owner loop. Ownership: holds one reference per message; {@link #remove}
 * hands it to the caller, {@link #put} and {@link #clear} release what they replace.
 *
 * <p>Memory (issue 8): a session makes one on first use; most sessions never hold a message.
 */
final class IncomingMessages {
    private final Map<Integer, Message> byId = new HashMap<>(4);

    /** The message held under {@code packetId}, or null; the caller takes no reference. */
    Message get(int packetId) {
        return byId.get(packetId);
    }

    /** Holds {@code message} (taking over the caller's reference), releasing one held under the same id. */
    void put(int packetId, Message message) {
        Message previous = byId.put(packetId, message);
        if (previous != null) {
            previous.release();
        }
    }

    /** Removes the message held under {@code packetId} and hands its reference to the caller; null when none. */
    Message remove(int packetId) {
        return byId.remove(packetId);
    }

    int size() {
        return byId.size();
    }

    /** Releases every message held. */
    void clear() {
        byId.values().forEach(Message::release);
        byId.clear();
    }
}
