package io.starling.broker.core.auth;

import java.util.Objects;

/**
 * Who a client is for authorization: its client id and, when it logged in, its user name (null for
 * an anonymous client).
 */
public record ClientIdentity(String clientId, String username) {
    public ClientIdentity {
        Objects.requireNonNull(clientId);
    }
}
