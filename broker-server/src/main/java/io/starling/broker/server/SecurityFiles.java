package io.starling.broker.server;

import io.starling.broker.auth.dynsec.DynamicSecurity;
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
 * {@code acl_file}, the dynamic security plugin) into the core's Authenticator and Authorizer, at
 * start-up and on reload. A file that cannot be read is an error, never a fallback to allowing
 * everything. As in mosquitto 2.0, the password file and the ACL file come before a plugin: where one
 * is configured it decides; dynamic security decides what they leave to it.
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

    /**
     * The broker-wide rules (per_listener_settings false).
     *
     * @param dynamicSecurity the running plugin, or null; used where the config names it
     */
    static Loaded load(BrokerConfig config, DynamicSecurity dynamicSecurity) throws SecurityFileException {
        SecurityConfig s = config.security();
        boolean allowAnonymous = s.allowAnonymous() != null ? s.allowAnonymous() : config.listeners().isEmpty();
        return load(s, allowAnonymous, dynamicSecurity);
    }

    /** The rules of one listener (per_listener_settings true). */
    static Loaded load(BrokerConfig config, ListenerConfig listener, DynamicSecurity dynamicSecurity)
            throws SecurityFileException {
        return load(config.securityFor(listener), config.anonymousAllowed(listener), dynamicSecurity);
    }

    private static Loaded load(SecurityConfig s, boolean allowAnonymous, DynamicSecurity dynamicSecurity)
            throws SecurityFileException {
        DynamicSecurity plugin = s.dynamicSecurity() != null ? dynamicSecurity : null;
        try {
            Authenticator authenticator;
            if (s.passwordFile() != null) {
                authenticator = new PasswordFileAuthenticator(PasswordFile.read(s.passwordFile()), allowAnonymous);
            } else if (plugin != null) {
                authenticator = plugin.authenticator(allowAnonymous);
            } else {
                authenticator = Authenticator.anonymous(allowAnonymous);
            }
            Authorizer authorizer;
            if (s.aclFile() != null) {
                authorizer = AclFile.read(s.aclFile());
            } else {
                authorizer = plugin != null ? plugin.authorizer() : Authorizer.ALLOW_ALL;
            }
            return new Loaded(authenticator, authorizer);
        } catch (PasswordFileException | AclFileException e) {
            throw new SecurityFileException(e.getMessage());
        }
    }
}
