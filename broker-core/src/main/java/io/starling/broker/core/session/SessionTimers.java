package io.starling.broker.core.session;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The two timers of an offline session: its expiry, and a will held back by its Will Delay Interval
 * (MQTT 5 §3.1.2.5, §3.1.2.11.2). Both are cancelled when a connection attaches. Threading: owned by
 * the session's loop; the timers fire there and re-check that they still apply before acting.
 */
final class SessionTimers {
    private ScheduledFuture<?> expiry;
    private ScheduledFuture<?> willDelay;
    private Runnable pendingWill;
    /** When the pending will was held back, and when it is due (epoch millis): the order of wills at shutdown. */
    private long willHeldSince;
    private long willDue;

    void startExpiry(Session session, long seconds, BooleanSupplier stillOffline, Runnable onExpiry) {
        if (expiry != null) {
            expiry.cancel(false); // a connection came and went without attaching (CONNACK never sent)
        }
        expiry = session.owner().loop().schedule(() -> {
            if (session.owner().inLoop() && stillOffline.getAsBoolean()) {
                onExpiry.run();
            }
        }, seconds, TimeUnit.SECONDS);
    }

    void delayWill(Session session, long seconds, BooleanSupplier stillOffline, Runnable publish) {
        pendingWill = publish;
        willHeldSince = System.currentTimeMillis();
        willDue = willHeldSince + TimeUnit.SECONDS.toMillis(seconds);
        willDelay = session.owner().loop().schedule(() -> {
            if (session.owner().inLoop() && stillOffline.getAsBoolean()) {
                firePendingWill();
            }
        }, seconds, TimeUnit.SECONDS);
    }

    boolean hasPendingWill() {
        return pendingWill != null;
    }

    long willHeldSince() {
        return willHeldSince;
    }

    long willDue() {
        return willDue;
    }

    /** Publishes a will still held back by its delay, once. */
    void firePendingWill() {
        Runnable will = pendingWill;
        pendingWill = null;
        if (will != null) {
            will.run();
        }
    }

    /** A connection for the client id came within the will delay: the will is not sent. */
    void discardWill() {
        if (willDelay != null) {
            willDelay.cancel(false);
            willDelay = null;
        }
        pendingWill = null;
    }

    /** A connection attached (or the session ended): neither timer applies any more. */
    void cancel() {
        if (expiry != null) {
            expiry.cancel(false);
            expiry = null;
        }
        discardWill();
    }
}
