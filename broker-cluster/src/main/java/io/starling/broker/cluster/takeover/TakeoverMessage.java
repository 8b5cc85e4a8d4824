package io.starling.broker.cluster.takeover;

import io.starling.broker.core.store.StoredState;
import java.util.Objects;

/** What travels between the new owner of a client id and its previous owner ({@link TakeoverCodec} has the bytes). */
sealed interface TakeoverMessage permits TakeoverMessage.Request, TakeoverMessage.State {

    String clientId();

    /** The epoch of the new owner's claim: what fences a late answer or a late request. */
    long epoch();

    /** From the new owner: hand over the session of {@code clientId} to the claim {@code epoch}. */
    record Request(String clientId, long epoch) implements TakeoverMessage {
        public Request {
            Objects.requireNonNull(clientId);
        }
    }

    /** From the previous owner: the session, or null when it had none to hand over. Owns its message references. */
    record State(String clientId, long epoch, StoredState.RestoredSession session) implements TakeoverMessage {
        public State {
            Objects.requireNonNull(clientId);
        }
    }
}
