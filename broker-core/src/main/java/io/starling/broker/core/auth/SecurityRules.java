package io.starling.broker.core.auth;

/**
 * The password check and ACL that apply to a set of connections (the whole broker, or one listener
 * with mosquitto's {@code per_listener_settings true}). A reload swaps both at once, so no client
 * ever sees a new password file with an old ACL. Thread-safe.
 */
public final class SecurityRules {
    private record Rules(Authenticator authenticator, Authorizer authorizer) {
    }

    private volatile Rules current;

    public SecurityRules(Authenticator authenticator, Authorizer authorizer) {
        this.current = new Rules(authenticator, authorizer);
    }

    public Authenticator authenticator() {
        return current.authenticator();
    }

    public Authorizer authorizer() {
        return current.authorizer();
    }

    /** Installs new rules; connected clients are checked against them from now on. */
    public void replace(Authenticator authenticator, Authorizer authorizer) {
        current = new Rules(authenticator, authorizer);
    }
}
