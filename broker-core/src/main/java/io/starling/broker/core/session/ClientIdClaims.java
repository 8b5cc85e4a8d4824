package io.starling.broker.core.session;

import io.starling.broker.core.store.StoredState;
import java.util.concurrent.CompletionStage;

/**
 * Whether this broker may take a client id before it accepts a CONNECT with it. A single broker always
 * may ({@link #LOCAL}, answered without waiting); a cluster asks its client-id registry, which makes
 * ids unique across the nodes and can say no when it cannot decide (no majority).
 *
 * <p>A grant carries a token (the cluster's epoch of the claim), kept with the session it was granted
 * for and handed back to {@link #release} when that session ends: a release names the claim it ends,
 * so a session that ends late cannot give away the claim of a newer connection with the same id.
 *
 * <p>Threading: both methods are called on event loops and must not block; the answer to
 * {@link #claim} may complete on any thread (the CONNECT goes on on the client's loop).
 */
public interface ClientIdClaims {
    /** A single broker: every id is this broker's, and CONNECT does not wait. */
    ClientIdClaims LOCAL = clientId -> {
        throw new UnsupportedOperationException("LOCAL is answered without asking");
    };

    /** {@link Claim#token} of a session that holds no claim (a single broker's, a restored one). */
    long NO_TOKEN = 0;

    /**
     * Takes {@code clientId} for this broker (the newest connection wins, as on one broker). A refusal,
     * or a failed stage, refuses the CONNECT with "server unavailable".
     */
    CompletionStage<Claim> claim(String clientId);

    /** The session that held the claim {@code token} of {@code clientId} has ended. */
    default void release(String clientId, long token) {
    }

    /**
     * The CONNECT that claimed {@code clientId} with {@code token} and waited for a {@link Claim#movedSession}
     * is done with it: the session is taken in here (its subscriptions are in the tree), or was dropped
     * (none came, or the connection went meanwhile). On the client's loop; once per moved session.
     */
    default void moveSettled(String clientId, long token) {
    }

    /**
     * The answer to {@link #claim}.
     *
     * @param token        tokens of later claims of an id are higher (a cluster's epochs)
     * @param movedSession when the id was held on another node: the session that node hands over,
     *                     completed with null when it had none (or it did not come in time); the CONNECT
     *                     waits for it, and takes its message references. Null: nothing to wait for.
     */
    record Claim(boolean granted, long token, CompletionStage<StoredState.RestoredSession> movedSession) {
        public Claim(boolean granted, long token) {
            this(granted, token, null);
        }

        /** Nobody could grant the id (no majority): refusing is safer than two live sessions with one id. */
        public static final Claim UNAVAILABLE = new Claim(false, NO_TOKEN);

        public static Claim granted(long token) {
            return new Claim(true, token);
        }

        /** Granted, with the session the previous holder on another node hands over. */
        public static Claim grantedWithMove(long token, CompletionStage<StoredState.RestoredSession> movedSession) {
            return new Claim(true, token, java.util.Objects.requireNonNull(movedSession));
        }
    }
}
