package io.starling.broker.core.protocol;

import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.session.ClientIdClaims;
import io.starling.broker.core.session.Session;
import io.starling.broker.core.store.StoredState;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The old owner's side of a cluster's session takeover: another node's CONNECT claimed a client id
 * whose session is here. Its connection is closed (5.0: DISCONNECT 0x8E Session taken over; 3.x: just
 * closed), a will held back by its delay is dropped, a will without delay goes with the state (the
 * new node sends it or not as one node would, {@code Wills#releaseMovedOnTakeover}), and the state is taken
 * out ({@link Session#handOver}) and the session ended here, its stored copy deleted. Generic: the
 * caller carries the state to the new node.
 */
public final class SessionHandOver {
    private SessionHandOver() {
    }

    /**
     * Hands over the session of {@code clientId} to the claim {@code claimToken}. {@code then} gets its
     * state (and the message references) on the session's loop before the session leaves this broker's
     * registry, so that whoever looks for it later finds it gone only after {@code then} has run; or it
     * gets null, at once on the calling thread when there is no session, or on the loop when the one
     * here is not to be given away: it belongs to that claim or a later one (a late request), or, with
     * {@code onlyClaimed}, it holds no claim of this start (restored from the store and not connected
     * since: a cluster's registry replaying old claims at start-up must not give away a session that
     * came back here since).
     */
    public static void handOver(BrokerCore core, String clientId, long claimToken, boolean onlyClaimed,
                                Consumer<StoredState.RestoredSession> then) {
        handOver(core, clientId, claimToken, onlyClaimed, Mover.NONE, then);
    }

    /**
     * What a cluster does between closing the old connection and taking the state out, on the session's
     * loop: moves the session's rows in the subscription tree to the new node, and lets what was matched
     * before reach the session ({@code takeState} runs on the session's loop, from any thread, once).
     */
    public interface Mover {
        Mover NONE = (session, takeState) -> takeState.run();

        void move(Session session, Runnable takeState);
    }

    /** As {@link #handOver(BrokerCore, String, long, boolean, Consumer)}, with {@code mover} before the state is taken. */
    public static void handOver(BrokerCore core, String clientId, long claimToken, boolean onlyClaimed, Mover mover,
                                Consumer<StoredState.RestoredSession> then) {
        Session session = core.sessions().get(clientId);
        if (session == null) {
            then.accept(null);
            return;
        }
        session.owner().execute(() -> onOwner(core, session, claimToken, onlyClaimed, mover, then));
    }

    private static void onOwner(BrokerCore core, Session session, long claimToken, boolean onlyClaimed, Mover mover,
                                Consumer<StoredState.RestoredSession> then) {
        if (!session.owner().inLoop()) {
            session.owner().execute(() -> onOwner(core, session, claimToken, onlyClaimed, mover, then)); // it moved meanwhile
            return;
        }
        if (session.isEnded() || session.claimToken() >= claimToken
                || onlyClaimed && session.claimToken() == ClientIdClaims.NO_TOKEN) {
            then.accept(null);
            return;
        }
        Message will = null;
        if (session.link() instanceof Client old) {
            will = old.closeForTakeoverElsewhere();
        }
        session.discardPendingWill(); // a delayed will: the client is back, as on one node
        io.starling.broker.core.routing.Message closedWill = will;
        java.util.concurrent.atomic.AtomicBoolean taken = new java.util.concurrent.atomic.AtomicBoolean();
        mover.move(session, () -> {
            if (taken.compareAndSet(false, true)) {
                takeState(core, session, closedWill, then);
            }
        });
    }

    private static void takeState(BrokerCore core, Session session, io.starling.broker.core.routing.Message will,
                                  Consumer<StoredState.RestoredSession> then) {
        if (!session.owner().inLoop()) {
            session.owner().execute(() -> takeState(core, session, will, then));
            return;
        }
        if (session.isEnded()) { // ended meanwhile (it expired): nothing to hand over
            if (will != null) {
                will.release();
            }
            then.accept(null);
            return;
        }
        StoredState.RestoredSession state = session.handOver();
        if (will != null) {
            state = state.withWill(will); // the new node decides, knowing its CONNECT's Clean Start
        }
        session.end(); // its stored copy goes; the claim is the other node's already: nothing to release
        ProtocolLog.LOG.info("Session of {} handed over to another node.", session.clientId());
        try {
            then.accept(state);
        } finally {
            core.sessions().remove(session);
        }
    }

    /**
     * Ends the session of {@code clientId} that this broker restored from its store, unless a connection
     * has taken it since: a cluster's registry says another node holds the id at a newer claim (its client
     * connected there while this node was down), so the copy here is stale. It goes without its will (the
     * client lives elsewhere), its subscriptions leave the tree and its stored copy is deleted. Completes
     * with whether it went, on the session's loop.
     */
    public static CompletableFuture<Boolean> dropRestored(BrokerCore core, String clientId) {
        CompletableFuture<Boolean> dropped = new CompletableFuture<>();
        Session session = core.sessions().get(clientId);
        if (session == null) {
            dropped.complete(false);
            return dropped;
        }
        session.owner().execute(() -> dropRestoredOnOwner(core, session, dropped));
        return dropped;
    }

    private static void dropRestoredOnOwner(BrokerCore core, Session session, CompletableFuture<Boolean> dropped) {
        if (!session.owner().inLoop()) {
            session.owner().execute(() -> dropRestoredOnOwner(core, session, dropped)); // it moved meanwhile
            return;
        }
        if (session.isEnded() || session.isOnline() || session.claimToken() != ClientIdClaims.NO_TOKEN) {
            dropped.complete(false); // a connection took it since: that claim decides, not the one read before
            return;
        }
        session.discardPendingWill();
        session.end();
        core.sessions().remove(session);
        dropped.complete(true);
    }
}
