package io.starling.broker.core.protocol;

import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.session.Session;
import io.starling.broker.core.sys.Counter;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.Will;

/**
 * What happens to a session and its will when its connection is gone (MQTT 5 §3.1.2.5,
 * §3.1.2.11.2; 3.1.1 §3.1.2.4): a session with expiry 0 ends at once; otherwise it waits offline
 * until it expires. The will is published at once, or after its Will Delay Interval, or when the
 * session ends, whichever comes first, and not at all if a connection resumes the session in time.
 */
final class SessionEnd {
    private SessionEnd() {
    }

    static long willDelay(Will will) {
        return will.properties().number(PropertyId.WILL_DELAY_INTERVAL, 0);
    }

    /** Runs on the session's loop right after its connection was lost; {@code will} is null when there is none. */
    static void afterConnectionLost(Client client, Session session, Will will) {
        BrokerCore core = client.core;
        long expiry = session.expiryInterval();
        if (expiry != 0) {
            session.saveHeader(false); // before the will: a delayed will is stored with its session
        }
        releaseWill(client, session, will);
        if (expiry == 0) {
            end(core, session);
            return;
        }
        startExpiryTimer(core, session, expiry);
    }

    /** Ends an offline session when {@code seconds} have passed without a connection resuming it. */
    static void startExpiryTimer(BrokerCore core, Session session, long seconds) {
        session.startExpiryTimer(seconds, () -> {
            ProtocolLog.LOG.info("Session of {} expired.", session.clientId());
            core.counters().increment(Counter.SESSIONS_EXPIRED);
            session.firePendingWill();
            end(core, session);
        });
    }

    /**
     * The connection that carried {@code will} (null for none) has ended: the will goes out now when it
     * has no delay or the session ends with the connection; otherwise it waits with the session, which
     * publishes it when the delay passes or the session ends first, and drops it if a connection
     * resumes the session (MQTT-3.1.3-9).
     */
    static void releaseWill(Client client, Session session, Will will) {
        if (will == null) {
            return;
        }
        long delay = willDelay(will);
        if (delay == 0 || session.expiryInterval() == 0) {
            PublishHandler.publishWill(client, will);
            return;
        }
        Message stored = PublishHandler.willMessage(client, will);
        session.storeDelayedWill(stored, System.currentTimeMillis() + delay * 1000);
        stored.release();
        delayWill(client.core, session, delay, () -> PublishHandler.publishWill(client, will));
    }

    /** Holds a will back for {@code delaySeconds}; {@code publish} runs when it goes out. */
    static void delayWill(BrokerCore core, Session session, long delaySeconds, Runnable publish) {
        session.delayWill(delaySeconds, () -> {
            publish.run();
            // Run by a loop timer (delay or expiry), which is no read batch: flush what the will
            // wrote to subscribers on this loop, as the end of a read batch would.
            session.owner().flushPending();
        });
    }

    static void end(BrokerCore core, Session session) {
        session.end();
        core.sessions().remove(session);
    }
}
