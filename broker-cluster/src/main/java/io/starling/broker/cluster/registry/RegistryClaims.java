package io.starling.broker.cluster.registry;

import io.starling.broker.core.session.ClientIdClaims;
import java.util.concurrent.CompletionStage;

/**
 * Core's CONNECT asks the cluster's {@link ClientIdRegistry} for the client id: granted when the claim
 * is committed, {@link ClientIdClaims.Result#UNAVAILABLE} without a majority (the CONNECT is refused
 * with 0x88 / return code 3). The previous owner a grant names is for the session takeover over the
 * node links (the next slice); the old owner's node is told by the registry itself ({@link OwnerListener}).
 */
public final class RegistryClaims implements ClientIdClaims {
    private final ClientIdRegistry registry;

    public RegistryClaims(ClientIdRegistry registry) {
        this.registry = registry;
    }

    @Override
    public CompletionStage<Result> claim(String clientId) {
        return registry.claim(clientId).thenApply(result -> result instanceof ClaimResult.Granted
                ? Result.GRANTED : Result.UNAVAILABLE);
    }
}
