package io.starling.broker.core.protocol;

import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.auth.Authenticator;
import io.starling.broker.core.auth.PasswordChecks;
import io.starling.broker.core.session.Session;

/**
 * After the password file is reloaded, every client that logged in with a password is checked again
 * against it, on its own loop; one whose user was removed or whose password changed is disconnected
 * (5.0: 0x87), as mosquitto does on SIGHUP. Everyone else stays connected.
 *
 * <p>With slow hashes the re-checks wait behind logins ({@link PasswordChecks.Priority#RECHECK}), so a
 * reload with many clients connected does not hold new logins up; a client's earlier re-check still
 * waiting is cancelled by the next reload's, and a client that disconnects cancels its own.
 */
public final class Credentials {
    private Credentials() {
    }

    /** Re-checks every connected client; call after {@link BrokerCore#replaceSecurity}. */
    public static void recheckAll(BrokerCore core) {
        for (Session session : core.sessions().all()) {
            session.owner().execute(() -> {
                if (session.link() instanceof Client client) {
                    recheck(client);
                    client.outbox.flushPending();
                }
            });
        }
    }

    private static void recheck(Client client) {
        if (!client.passwordChecked || client.state != Client.State.CONNECTED) {
            return;
        }
        if (client.passwordCheck != null) {
            client.passwordCheck.cancel(); // an older reload's re-check: this one supersedes it
        }
        String username = client.identity == null ? null : client.identity.username();
        client.passwordCheck = client.core.passwordChecks().check(PasswordChecks.Priority.RECHECK,
                client.security.authenticator(), client.clientId, username, client.password, client.outbox::execute,
                decision -> {
                    client.passwordCheck = null;
                    disconnectUnlessAllowed(client, decision);
                });
    }

    private static void disconnectUnlessAllowed(Client client, Authenticator.Decision decision) {
        // SERVER_BUSY is never the answer to a re-check (they are not refused); only a real "no" disconnects.
        if (decision != Authenticator.Decision.ALLOW && decision != Authenticator.Decision.SERVER_BUSY
                && client.state == Client.State.CONNECTED) {
            Disconnects.disconnect(client, io.starling.mqtt.codec.ReasonCode.NOT_AUTHORIZED,
                    "credentials no longer accepted after the password file was reloaded");
        }
    }
}
