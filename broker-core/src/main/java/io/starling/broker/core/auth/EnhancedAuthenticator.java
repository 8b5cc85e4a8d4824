package io.starling.broker.core.auth;

/**
 * An MQTT 5 enhanced authentication method (§4.12), such as SCRAM or Kerberos: a challenge/response
 * exchange carried by CONNECT, AUTH and CONNACK packets. A client naming a method no installed
 * authenticator has is refused with 0x8C (bad authentication method).
 *
 * <p>Called on the connection's event loop: implementations must not block.
 */
public interface EnhancedAuthenticator {

    /** The Authentication Method name clients ask for, e.g. {@code SCRAM-SHA-256}. */
    String method();

    /** Starts an exchange for one connection (or one re-authentication). */
    Exchange begin(String clientId, String username);

    /** One authentication exchange; each client message gets one {@link Step} in reply. */
    interface Exchange {
        /** @param clientData the client's Authentication Data, or null when it sent none */
        Step respond(byte[] clientData);
    }

    /** The broker's reply to one client message. */
    sealed interface Step permits Continue, Success, Failure {
    }

    /** Send this challenge (AUTH 0x18) and wait for the client's next message. */
    record Continue(byte[] serverData) implements Step {
    }

    /** Authenticated; {@code serverData} (may be null) goes in the CONNACK or AUTH 0x00. */
    record Success(byte[] serverData) implements Step {
    }

    /** Not authenticated: the client is refused with 0x87 (not authorized). */
    record Failure(String reason) implements Step {
    }
}
