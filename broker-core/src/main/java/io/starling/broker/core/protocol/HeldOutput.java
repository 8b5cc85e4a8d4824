package io.starling.broker.core.protocol;

import io.starling.mqtt.codec.Packet;
import io.starling.mqtt.codec.Publish;
import java.util.ArrayDeque;

/**
 * What a client is sent while one of its replies waits for the store ({@link StateReports}): held
 * behind that reply, so that the client receives everything in the order the broker did it, as from
 * mosquitto's single thread (issue 15). The packets themselves are handled at once, in the order they
 * arrived; only what goes back waits. A CONNACK that reports a stored session is such a reply: the
 * packets read behind the CONNECT take effect at once, and nothing reaches the client before the
 * CONNACK.
 *
 * <p>Replies are answered in the order they were asked ({@link io.starling.broker.core.store.SessionStore#afterDurable}
 * keeps it), so a packet written while {@code n} replies had been asked goes out once the {@code n}th
 * is answered, right after what that reply wrote. A close asked for meanwhile waits the same way.
 *
 * <p>Threading: the client's loop. Made when a reply first waits and forgotten when none waits any more.
 */
final class HeldOutput {
    private record Item(Packet packet, long after, int bytes) {
    }

    /**
     * Above this many bytes held, the client reads as not writable ({@link Client#isWritable}), so that its
     * session queues further deliveries in its bounded queue instead of here: a store that stalls must not
     * let this grow without bound. Counted as payload plus a fixed cost per packet.
     */
    static final int MAX_HELD_BYTES = 1 << 20;
    private static final int PACKET_COST = 64;

    private final Client client;
    private final ArrayDeque<Item> items = new ArrayDeque<>(2);
    private long asked;
    private long answered;
    /** While a reply is answered, what it writes goes out at once: nothing held is older. */
    private boolean answering;
    /** The close waits for this many replies to be answered; -1 when none is asked for. */
    private long closeAfter = -1;
    private long heldBytes;

    HeldOutput(Client client) {
        this.client = client;
    }

    /** One more reply waits for the store. */
    void ask() {
        asked++;
    }

    /** Whether a packet written now must wait behind a reply. */
    boolean holds() {
        return !answering && asked > answered;
    }

    /**
     * Holds {@code packet} until the replies asked so far are answered; after a close asked for, drops it.
     * A PUBLISH's payload is not the caller's to give (it belongs to the message): it is retained here.
     */
    void hold(Packet packet) {
        if (closeAfter >= 0) {
            return; // the connection closes before it could go
        }
        int bytes = PACKET_COST;
        if (packet instanceof Publish p) {
            p.payload().retain(); // the caller lets go of the message once written: the wait keeps its own reference
            bytes += p.payload().readableBytes();
        }
        heldBytes += bytes;
        items.add(new Item(packet, asked, bytes));
    }

    /** Whether so much is held that deliveries should wait in the session's queue instead. */
    boolean full() {
        return heldBytes >= MAX_HELD_BYTES;
    }

    /** Closes the connection once the replies asked so far are answered and what was held before has gone. */
    void closeWhenSent() {
        if (closeAfter < 0) {
            closeAfter = asked;
        }
    }

    /**
     * The oldest waiting reply is answered: {@code reply} runs (what it writes goes out at once), then
     * what was held behind it, up to the next waiting reply.
     */
    void answer(Runnable reply) {
        boolean wasFull = full();
        answered++;
        answering = true;
        try {
            reply.run();
        } finally {
            answering = false;
        }
        Item next;
        while ((next = items.peek()) != null && next.after() <= answered) {
            items.poll();
            heldBytes -= next.bytes();
            client.writeNow(next.packet());
            Client.release(next.packet()); // the connection took what it needed of the payload
        }
        if (closeAfter >= 0 && closeAfter <= answered) {
            closeAfter = -1;
            client.connection.close();
        }
        if (asked == answered && client.held == this) {
            client.held = null; // nothing waits: output goes straight out again
        }
        if (wasFull && !full()) {
            client.onWritable(); // what the session queued meanwhile may go now
        }
    }

    /** The connection is closed: nothing held will go. */
    void drop() {
        Item i;
        while ((i = items.poll()) != null) {
            Client.release(i.packet());
        }
        heldBytes = 0;
        closeAfter = -1;
    }
}
