package io.starling.broker.core.protocol;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.auth.ClientIdentity;
import io.starling.broker.core.auth.SecurityRules;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.session.Session;
import io.starling.broker.core.store.StoredState;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.Will;

/**
 * The one path by which a will becomes a message (MQTT 5 §3.1.2.5, §3.1.3.2.2; 3.1.1 §3.1.2.5): when
 * its connection ends, at once or after its Will Delay Interval (held by the session, and in the
 * store so that a restart after a crash still sends it), when the broker stops, and not at all if a
 * connection for the same client id comes in time (resuming the session or not, as mosquitto).
 *
 * <p>The topic is checked when the will is sent, against the rules in force then ({@code $SYS},
 * {@code $share}, the ACL as reloaded by SIGHUP or a restart), not at CONNECT: as mosquitto 2.0.11, a
 * CONNECT whose will the client may not publish is accepted, and the will dropped and counted.
 *
 * <p>Threading: the session's (or, without one, the client's) event loop.
 */
final class Wills {
    private Wills() {
    }

    /**
     * A will waiting to be sent: what the client gave, with the broker-only delay taken out. The payload
     * is a copy, so that a will cancelled by a resuming connection leaves nothing to release.
     */
    private record Pending(String topic, QoS qos, boolean retain, byte[] payload, Properties properties,
                           String publisherId, String publisherUsername, int publisherListener) {
        /** The message, its expiry counted from now (when the will is published). */
        Message toMessage(BrokerCore core) {
            return new Message(topic, qos, retain, Unpooled.wrappedBuffer(payload), properties, publisherId,
                    publisherUsername, publisherListener,
                    PublishHandler.expiryAt(core, properties));
        }
    }

    /**
     * The connection that carried {@code will} (null: none) has ended. The will goes out now when it
     * has no delay or there is no session to hold it; otherwise the session holds it until the delay
     * passes, the session ends or the broker stops, whichever is first, even a session without expiry
     * (which then lives on until the will goes: as mosquitto, so that a reconnect in time discards it).
     * A persistent session keeps the will in the store too, so that a restart after a crash still sends it.
     *
     * @return true when the session holds the will back
     */
    static boolean release(Client client, Session session, Will will) {
        if (will == null) {
            return false;
        }
        Pending pending = pendingOf(client, will);
        long delay = delayOf(will);
        if (delay == 0 || session == null || client.core.isShuttingDown()) {
            publish(client.core, client.security, client.identity, pending); // mosquitto sends every will when it stops
            return false;
        }
        if (session.isPersistent()) {
            Message stored = pending.toMessage(client.core);
            session.storeDelayedWill(stored, System.currentTimeMillis() + delay * 1000);
            stored.release();
        }
        hold(client.core, session, delay, client.security, client.identity, pending);
        return true;
    }

    /**
     * The broker is stopping and {@code client} is still connected: a will without delay goes now; one
     * with a delay is held by the session (not stored: it goes before the broker stops).
     */
    static void holdAtShutdown(Client client, Session session, Will will) {
        long delay = delayOf(will);
        Pending pending = pendingOf(client, will);
        if (delay == 0 || session == null) {
            publish(client.core, client.security, client.identity, pending);
        } else {
            hold(client.core, session, delay, client.security, client.identity, pending);
        }
    }

    /**
     * The connection that carried {@code will} is taken over by a new CONNECT for its client id. As
     * mosquitto 2.0.11: a will without delay is published when the old session ended with its
     * connection (5.0 Session Expiry 0, 3.x clean session) or the new CONNECT starts clean; any other
     * will, and any will with a delay, is discarded (the client is back).
     */
    static void releaseOnTakeover(Client old, Session session, Will will, boolean newCleanStart) {
        if (will == null || delayOf(will) > 0) {
            return;
        }
        boolean oldSessionEnds = session == null || session.expiryInterval() == 0;
        if (oldSessionEnds || newCleanStart) {
            release(old, null, will);
        }
    }

    /**
     * The old node's half of {@link #releaseOnTakeover} when the new CONNECT is on another node (a
     * cluster): a will without delay becomes a message (its topic checked here, against the rules of the
     * connection that gave it) that travels with the session; a delayed one is discarded, as on one node.
     */
    static Message movingOnTakeover(Client old, Will will) {
        if (will == null || delayOf(will) > 0) {
            return null;
        }
        Pending pending = pendingOf(old, will);
        if (!PublishAcl.permits(old.security.authorizer(), old.identity, pending.topic())) {
            old.core.drops().notAuthorized.increment();
            ProtocolLog.LOG.info("Denied will of {} to '{}': not allowed by the ACL in force.",
                    pending.publisherId(), pending.topic());
            return null;
        }
        return pending.toMessage(old.core);
    }

    /**
     * The new node's half: the session of a connection taken over on another node came with its will
     * ({@link #movingOnTakeover}). As {@link #releaseOnTakeover}: published when the old session ended
     * with its connection (expiry 0) or the new CONNECT starts clean, else discarded. Takes the reference.
     */
    static void releaseMovedOnTakeover(BrokerCore core, StoredState.RestoredSession moved, boolean newCleanStart) {
        Message will = moved.will();
        if (moved.header().expiryIntervalSeconds() == 0 || newCleanStart) {
            ProtocolLog.LOG.debug("Sending will of {} to {}", will.publisherId(), will.topic());
            PublishHandler.publishMessage(core, will);
        } else {
            will.release();
        }
    }

    private static Pending pendingOf(Client client, Will will) {
        return new Pending(client.mountPoint() + will.topic(), will.qos(), will.retain(), will.payload(),
                will.properties().without(PropertyId.WILL_DELAY_INTERVAL), client.clientId, client.identity.username(),
                client.connection.localPort());
    }

    private static long delayOf(Will will) {
        return will.properties().number(PropertyId.WILL_DELAY_INTERVAL, 0);
    }

    /**
     * A delayed will read from the store at start-up: held by its restored session, and checked when
     * sent against the rules the session has then (its listener's). Takes over {@code stored}.
     */
    static void restore(BrokerCore core, Session session, Message stored, long publishAtMillis) {
        Pending pending = new Pending(stored.topic(), stored.qos(), stored.retainFlag(),
                ByteBufUtil.getBytes(stored.payload()), stored.properties(), stored.publisherId(),
                stored.publisherUsername(), stored.publisherListener());
        stored.release();
        long delay = Math.max(0, (publishAtMillis - System.currentTimeMillis()) / 1000);
        hold(core, session, delay, session.security(), session.identity(), pending);
    }

    private static void hold(BrokerCore core, Session session, long delaySeconds, SecurityRules rules,
                             ClientIdentity publisher, Pending pending) {
        session.delayWill(delaySeconds, () -> {
            publish(core, rules, publisher, pending);
            // Run by a loop timer (delay or expiry), which is no read batch: flush what the will
            // wrote to subscribers on this loop, as the end of a read batch would.
            session.owner().flushPending();
            if (!session.isPersistent() && !session.isOnline()) {
                SessionEnd.end(core, session); // a session without expiry lived on only for its will
            }
        });
    }

    private static void publish(BrokerCore core, SecurityRules rules, ClientIdentity publisher, Pending will) {
        if (!PublishAcl.permits(rules.authorizer(), publisher, will.topic())) {
            core.drops().notAuthorized.increment();
            ProtocolLog.LOG.info("Denied will of {} to '{}': not allowed by the ACL in force.",
                    will.publisherId(), will.topic());
            return;
        }
        ProtocolLog.LOG.debug("Sending will of {} to {}", will.publisherId(), will.topic());
        PublishHandler.publishMessage(core, will.toMessage(core));
    }
}
