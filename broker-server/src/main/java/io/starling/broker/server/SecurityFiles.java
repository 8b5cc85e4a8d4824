package io.starling.broker.server;

import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.ListenerConfig;
import io.starling.broker.config.SecurityConfig;
import io.starling.broker.core.auth.Authenticator;
import io.starling.broker.core.auth.Authorizer;
import io.starling.broker.core.auth.file.AclFile;
import io.starling.broker.core.auth.file.AclFileException;
import io.starling.broker.core.auth.file.PasswordFile;
import io.starling.broker.core.auth.file.PasswordFileAuthenticator;
import io.starling.broker.core.auth.file.PasswordFileException;

/**
 * Turns the security part of the config ({@code allow_anonymous}, {@code password_file},
 * {@code acl_file}) into the core's Authenticator and Authorizer, at start-up and on reload. A file
 * that cannot be read is an error, never a fallback to allowing everything.
 */
final class SecurityFiles {
    private SecurityFiles() {
    }

    /** What the files say: the password check and the ACL, installed together. */
    record Loaded(Authenticator authenticator, Authorizer authorizer) {
    }

    /** A password or ACL file could not be used; the message names the file and line. */
    static final class SecurityFileException extends Exception {
        SecurityFileException(String message) {
            super(message);
        }
    }

    /** The broker-wide rules (per_listener_settings false). */
    static Loaded load(BrokerConfig config) throws SecurityFileException {
        SecurityConfig s = config.security();
        boolean allowAnonymous = s.allowAnonymous() != null ? s.allowAnonymous() : config.listeners().isEmpty();
        return load(s, allowAnonymous);
    }

    /** The rules of one listener (per_listener_settings true). */
    static Loaded load(BrokerConfig config, ListenerConfig listener) throws SecurityFileException {
        return load(config.securityFor(listener), config.anonymousAllowed(listener));
    }

    private static Loaded load(SecurityConfig s, boolean allowAnonymous) throws SecurityFileException {
        try {
            Authenticator authenticator = s.passwordFile() == null
                    ? Authenticator.anonymous(allowAnonymous)
                    : new PasswordFileAuthenticator(PasswordFile.read(s.passwordFile()), allowAnonymous);
            Authorizer authorizer = s.aclFile() == null ? Authorizer.ALLOW_ALL : AclFile.read(s.aclFile());
            return new Loaded(authenticator, authorizer);
        } catch (PasswordFileException | AclFileException e) {
            throw new SecurityFileException(e.getMessage());
        }
    }
}
