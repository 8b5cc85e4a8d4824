package io.starling.broker.core.session;

import java.util.concurrent.CompletionStage;

/**
 * Whether this broker may take a client id before it accepts a CONNECT with it. A single broker always
 * may ({@link #LOCAL}, answered without waiting); a cluster asks its client-id registry, which makes
 * ids unique across the nodes and can say no when it cannot decide (no majority).
 *
 * <p>Threading: {@link #claim} is called on the client's event loop and must not block; the answer may
 * complete on any thread (the CONNECT goes on on the client's loop).
 */
@FunctionalInterface
public interface ClientIdClaims {
    /** A single broker: every id is this broker's, and CONNECT does not wait. */
    ClientIdClaims LOCAL = clientId -> {
        throw new UnsupportedOperationException("LOCAL is answered without asking");
    };

    /**
     * Takes {@code clientId} for this broker (the newest connection wins, as on one broker). An answer
     * other than {@link Result#GRANTED}, or a failed stage, refuses the CONNECT with "server unavailable".
     */
    CompletionStage<Result> claim(String clientId);

    enum Result {
        /** The id is this broker's now. */
        GRANTED,
        /** Nobody could grant it (no majority): refusing is safer than two live sessions with one id. */
        UNAVAILABLE
    }
}
