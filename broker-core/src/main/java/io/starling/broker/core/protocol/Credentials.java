package io.starling.broker.core.protocol;

import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.auth.Authenticator;
import io.starling.broker.core.session.Session;

/**
 * After the password file is reloaded, every client that logged in with a password is checked again
 * against it, on its own loop; one whose user was removed or whose password changed is disconnected
 * (5.0: 0x87), as mosquitto does on SIGHUP. Everyone else stays connected.
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
        Authenticator authenticator = client.security.authenticator();
        String username = client.identity == null ? null : client.identity.username();
        if (!authenticator.isSlow()) {
            disconnectUnlessAllowed(client, authenticator.authenticate(client.clientId, username, client.password));
            return;
        }
        client.core.slowAuthExecutor().execute(() -> {
            Authenticator.Decision decision = authenticator.authenticate(client.clientId, username, client.password);
            client.outbox.execute(() -> disconnectUnlessAllowed(client, decision));
        });
    }

    private static void disconnectUnlessAllowed(Client client, Authenticator.Decision decision) {
        if (decision != Authenticator.Decision.ALLOW && client.state == Client.State.CONNECTED) {
            Disconnects.close(client, io.starling.mqtt.codec.ReasonCode.NOT_AUTHORIZED,
                    "credentials no longer accepted after the password file was reloaded");
        }
    }
}
