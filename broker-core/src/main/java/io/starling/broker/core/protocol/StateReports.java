package io.starling.broker.core.protocol;

import io.starling.broker.core.store.SessionStore;
import io.starling.mqtt.codec.Packet;

/**
 * The one place in the core that decides when a packet reporting a state change may leave (issue 14,
 * DESIGN.md "Under pressure"): PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK and CONNACK go out
 * only once the change they report is durable, so that a crash can never undo what a client was told.
 *
 * <p>How: the handler makes its change (the store writes it unsynced, on this loop), then hands its
 * reply here; with a durable store the reply waits for {@link SessionStore#afterDurable}, which the
 * store answers within a few milliseconds (its group commit syncs every write at once). Replies keep
 * the order in which they were handed over. Without a durable store there is nothing to wait for.
 *
 * <p>When the store could not make the change durable (a full disk), the reply is refused instead: the
 * handler says how (5.0: a reason code 0x80; 3.1.1: no acknowledgement, so the client sends again). The
 * client's in-memory state stays as it is; only what was promised is withheld.
 *
 * <p>A reply whose packet changed nothing stored, with no earlier reply of its client still waiting,
 * goes at once (issue 15): mosquitto answers every packet as it reads it, and a reply that took a
 * round through the store's thread for nothing let later traffic overtake it (a PUBLISH routed to a
 * new subscription before its SUBACK).
 *
 * <p>Whatever else the client is sent meanwhile (deliveries, PINGRESP, a DISCONNECT, the close) waits
 * behind the waiting reply ({@link HeldOutput}), so the client sees the broker's order while the
 * packets themselves take effect at once, in arrival order.
 *
 * <p>Threading: called on the client's loop; the reply or the refusal runs there too.
 */
final class StateReports {
    private StateReports() {
    }

    /** Sends {@code report} once the changes made so far on this loop are durable; else runs {@code refused}. */
    static void send(Client client, Packet report, Runnable refused) {
        after(client, () -> client.write(report), refused);
    }

    /** Sends {@code report} once durable, and nothing when the store failed. */
    static void send(Client client, Packet report) {
        send(client, report, () -> { });
    }

    /**
     * Runs {@code reported} once the changes made so far on this loop are durable, else {@code refused},
     * in both cases only while the connection is open.
     */
    static void after(Client client, Runnable reported, Runnable refused) {
        then(client, durable -> {
            if (client.state != Client.State.CLOSED) {
                (durable ? reported : refused).run();
            }
        });
    }

    /**
     * Runs {@code next} with whether the changes made so far on this loop are durable, whatever the
     * connection's state. Meanwhile whatever is written to the client waits behind it ({@link HeldOutput}).
     */
    static void then(Client client, SessionStore.Commit next) {
        SessionStore store = client.core.store();
        if (!store.isDurable() || client.held == null && !store.hasUnreportedChanges()) {
            next.done(true);
            return;
        }
        if (client.held == null) {
            client.held = new HeldOutput(client);
        }
        HeldOutput held = client.held;
        held.ask();
        store.afterDurable(client.outbox::submit, durable -> {
            if (!durable) {
                client.core.drops().notDurable.increment();
            }
            held.answer(() -> next.done(durable));
        });
    }
}
