package io.starling.broker.core.protocol;

import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.session.Session;
import io.starling.broker.core.store.StoredState;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The old owner's side of a cluster's session takeover: another node's CONNECT claimed a client id
 * whose session is here. Its connection is closed (5.0: DISCONNECT 0x8E Session taken over; 3.x: just
 * closed) without its will, a will held back by its delay is dropped, and the session's state is taken
 * out ({@link Session#handOver}) and the session ended here, its stored copy deleted. Generic: the
 * caller carries the state to the new node.
 */
public final class SessionHandOver {
    private SessionHandOver() {
    }

    /**
     * Hands over the session of {@code clientId} to the claim {@code claimToken}; completes with its
     * state (and the message references), or with null when there is no session here or the one here
     * belongs to that claim or a later one (a late request: it is not given away). Any thread.
     */
    public static CompletionStage<StoredState.RestoredSession> handOver(BrokerCore core, String clientId, long claimToken) {
        CompletableFuture<StoredState.RestoredSession> done = new CompletableFuture<>();
        Session session = core.sessions().get(clientId);
        if (session == null) {
            done.complete(null);
            return done;
        }
        session.owner().execute(() -> onOwner(core, session, claimToken, done));
        return done;
    }

    private static void onOwner(BrokerCore core, Session session, long claimToken,
                                CompletableFuture<StoredState.RestoredSession> done) {
        if (!session.owner().inLoop()) {
            session.owner().execute(() -> onOwner(core, session, claimToken, done)); // it moved meanwhile
            return;
        }
        if (session.isEnded() || session.claimToken() >= claimToken) {
            done.complete(null);
            return;
        }
        if (session.link() instanceof Client old) {
            old.closeForTakeoverElsewhere();
        }
        session.discardPendingWill();
        StoredState.RestoredSession state = session.handOver();
        session.end(); // its stored copy goes; the claim is the other node's already: nothing to release
        core.sessions().remove(session);
        ProtocolLog.LOG.info("Session of {} handed over to another node.", session.clientId());
        done.complete(state);
    }
}
