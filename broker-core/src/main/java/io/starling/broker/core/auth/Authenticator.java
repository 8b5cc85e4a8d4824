package io.starling.broker.core.auth;

/**
 * Decides whether a CONNECT's credentials let the client in. Called on the connection's event loop:
 * implementations must answer quickly and never block (a password file is read into memory first).
 */
public interface Authenticator {

    /** The outcome of a check; each maps to a CONNACK code. */
    enum Decision {
        ALLOW,
        /** 3.1.1 return code 0x04, 5.0 reason code 0x86. */
        BAD_USERNAME_OR_PASSWORD,
        /** 3.1.1 return code 0x05, 5.0 reason code 0x87. */
        NOT_AUTHORIZED,
        /**
         * The check was not made: too many slow checks wait already (see {@link PasswordChecks}).
         * 3.1.1 return code 0x03 "server unavailable", 5.0 reason code 0x89 "server busy". Only the
         * broker answers this; an authenticator never returns it.
         */
        SERVER_BUSY
    }

    /**
     * @param username null when the CONNECT carries none
     * @param password null when the CONNECT carries none
     */
    Decision authenticate(String clientId, String username, byte[] password);

    /**
     * Whether a check can take long (memory-hard hashes such as argon2id take ~100 ms): the broker
     * then runs it off the event loop, through {@link PasswordChecks}, so that one CONNECT does not
     * stall every connection on it.
     */
    default boolean isSlow() {
        return false;
    }

    /**
     * Mosquitto's {@code allow_anonymous} without a password file: with anonymous access every client
     * is let in; without it there is nothing to check a user name against, so every client is refused
     * "not authorized" (as mosquitto 2.0 does; a certificate identity or an enhanced authentication
     * method are checked elsewhere).
     */
    static Authenticator anonymous(boolean allowAnonymous) {
        return (clientId, username, password) -> allowAnonymous ? Decision.ALLOW : Decision.NOT_AUTHORIZED;
    }
}
