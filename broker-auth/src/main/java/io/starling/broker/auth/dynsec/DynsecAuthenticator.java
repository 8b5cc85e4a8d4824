package io.starling.broker.auth.dynsec;

import io.starling.broker.core.auth.Authenticator;
import java.util.function.Supplier;

/**
 * Dynamic security's password check, as the plugin's with mosquitto's rule for when no plugin answers:
 * a known, enabled client whose bound client id (if any) is the one it connects with, and whose password
 * matches, is let in; a client without a user name is let in only with {@code allow_anonymous true};
 * everything else is refused "not authorized" (CONNACK 0x05 / 0x87, as measured with mosquitto 2.0.11).
 * PBKDF2 with the plugin's 101 iterations costs well under a millisecond, so it runs on the event loop.
 */
final class DynsecAuthenticator implements Authenticator {
    private final Supplier<AccessRules> rules;
    private final boolean allowAnonymous;

    DynsecAuthenticator(Supplier<AccessRules> rules, boolean allowAnonymous) {
        this.rules = rules;
        this.allowAnonymous = allowAnonymous;
    }

    @Override
    public Decision authenticate(String clientId, String username, byte[] password) {
        if (username == null) {
            return allowAnonymous ? Decision.ALLOW : Decision.NOT_AUTHORIZED;
        }
        AccessRules.ClientRules client = rules.get().client(username);
        if (client == null || password == null || password.length == 0 || client.password() == null
                || client.disabled() || client.clientId() != null && !client.clientId().equals(clientId)) {
            return Decision.NOT_AUTHORIZED;
        }
        return client.password().matches(password) ? Decision.ALLOW : Decision.NOT_AUTHORIZED;
    }
}
