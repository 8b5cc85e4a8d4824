package io.starling.broker.cluster.registry;

import io.starling.broker.cluster.NodeId;
import io.starling.broker.core.session.ClientIdClaims;
import java.util.concurrent.CompletionStage;

/**
 * Core's CONNECT asks the cluster's {@link ClientIdRegistry} for the client id: granted when the claim
 * is committed, with its epoch as the token, {@link ClientIdClaims.Claim#UNAVAILABLE} without a majority
 * (the CONNECT is refused with 0x88 / return code 3). A session that ends releases its claim with that
 * epoch, which the registry ignores once a newer claim holds the id. The previous owner a grant names is
 * for the session takeover over the node links (the next slice); the old owner's node is told by the
 * registry itself ({@link OwnerListener}).
 */
public final class RegistryClaims implements ClientIdClaims {
    private final NodeId self;
    private final ClientIdRegistry registry;

    public RegistryClaims(NodeId self, ClientIdRegistry registry) {
        this.self = self;
        this.registry = registry;
    }

    @Override
    public CompletionStage<Claim> claim(String clientId) {
        return registry.claim(clientId).thenApply(result -> result instanceof ClaimResult.Granted granted
                ? Claim.granted(granted.owner().epoch()) : Claim.UNAVAILABLE);
    }

    /**
     * Without a majority the release is lost, which is harmless: the id stays this node's in the
     * registry until the next claim of it anywhere, which wins.
     */
    @Override
    public void release(String clientId, long token) {
        registry.release(clientId, new Owner(self, token));
    }
}
