package io.starling.broker.core.auth.file;

import io.starling.broker.core.auth.Authenticator;
import java.util.Objects;

/**
 * Mosquitto's {@code password_file} with {@code allow_anonymous}: a client without a user name is let
 * in only when anonymous clients are allowed; one with a user name needs that user's password.
 *
 * <p>Every refusal is {@link Decision#NOT_AUTHORIZED}, as in mosquitto 2.0, which answers a wrong
 * password, an unknown user and a missing password alike with CONNACK 0x05 (3.1.1) or 0x87 (5.0),
 * never "bad user name or password" (observed with mosquitto 2.0.11), and a zero-length password
 * as a missing one. One answer for all of them
 * also keeps the reply from telling which users exist.
 *
 * <p>Runs the password hash on the calling thread: with the default {@code $7$} (101 PBKDF2
 * iterations) that is well under a millisecond; an Argon2id file costs tens of milliseconds and
 * tens of MiB per check.
 */
public final class PasswordFileAuthenticator implements Authenticator {
    private final PasswordFile passwordFile;
    private final boolean allowAnonymous;

    public PasswordFileAuthenticator(PasswordFile passwordFile, boolean allowAnonymous) {
        this.passwordFile = Objects.requireNonNull(passwordFile, "passwordFile");
        this.allowAnonymous = allowAnonymous;
    }

    @Override
    public boolean isSlow() {
        return passwordFile.hasSlowHashes();
    }

    @Override
    public Decision authenticate(String clientId, String username, byte[] password) {
        if (username == null) {
            return allowAnonymous ? Decision.ALLOW : Decision.NOT_AUTHORIZED;
        }
        if (password == null || password.length == 0) {
            // mosquitto 2.0.11 takes a zero-length password as none: refused even for a user whose
            // hash is of the empty password (mosquitto_passwd makes such hashes).
            return Decision.NOT_AUTHORIZED;
        }
        return passwordFile.verify(username, password) ? Decision.ALLOW : Decision.NOT_AUTHORIZED;
    }
}
