package io.starling.broker.core.protocol;

import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.session.ClientIdClaims;
import io.starling.broker.core.session.Session;
import io.starling.broker.core.sys.Counter;
import io.starling.mqtt.codec.Will;

/**
 * What happens to a session when its connection is gone (MQTT 5 §3.1.2.11.2; 3.1.1 §3.1.2.4): a
 * session with expiry 0 ends at once (or, holding a delayed will, when the will goes); otherwise it
 * waits offline until it expires. Its will goes the way {@link Wills} says.
 */
final class SessionEnd {
    private SessionEnd() {
    }

    /** Runs on the session's loop right after its connection was lost; {@code will} is null when there is none. */
    static void afterConnectionLost(Client client, Session session, Will will) {
        BrokerCore core = client.core;
        long expiry = session.expiryInterval();
        if (expiry != 0) {
            session.saveHeader(false); // before the will: a delayed will is stored with its session
        }
        boolean willHeld = Wills.release(client, session, will);
        if (expiry == 0) {
            if (willHeld) {
                session.clear(); // what it had ends with the connection; only the will waits (Wills)
            } else {
                end(core, session);
            }
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

    static void end(BrokerCore core, Session session) {
        session.end();
        core.sessions().remove(session);
        if (session.claimToken() != ClientIdClaims.NO_TOKEN) {
            core.clientIdClaims().release(session.clientId(), session.claimToken()); // a cluster's registry
        }
    }
}
