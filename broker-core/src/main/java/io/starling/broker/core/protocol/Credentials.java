package io.starling.broker.core.protocol;

import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.auth.Authenticator;
import io.starling.broker.core.auth.PasswordChecks;
import io.starling.broker.core.routing.LoopOutbox;
import io.starling.broker.core.sys.Counter;
import io.starling.broker.core.session.Session;

/**
 * After the password file is reloaded, every client that logged in with a password is checked again
 * against it, on its own loop; one whose user was removed or whose password changed is disconnected,
 * its socket closed with nothing sent, in 5.0 too, as mosquitto 2.0.11 does on SIGHUP (checked with the
 * differential harness, reload.scenarios). Everyone else stays connected.
 *
 * <p>Nothing the client sends after the reload is handled before its check is decided (issue 15):
 * the checks of a loop's clients run while the loops are held between reads
 * ({@link io.starling.broker.core.routing.LoopBarrier}), a fast hash answering at once; a client whose
 * check must wait for a slow hash is not read until the answer.
 *
 * <p>With slow hashes the re-checks wait behind logins ({@link PasswordChecks.Priority#RECHECK}), so a
 * reload with many clients connected does not hold new logins up; a client's earlier re-check still
 * waiting is cancelled by the next reload's, and a client that disconnects cancels its own.
 */
public final class Credentials {
    private Credentials() {
    }

    /**
     * Re-checks the connected clients of {@code loop}; call on that loop, after
     * {@link BrokerCore#replaceSecurity}, before it reads again.
     */
    public static void recheckOn(BrokerCore core, LoopOutbox loop) {
        for (Session session : core.sessions().all()) {
            if (session.owner() == loop && session.link() instanceof Client client) {
                recheck(client);
            }
        }
    }

    private static void recheck(Client client) {
        if (!client.passwordChecked || client.state != Client.State.CONNECTED) {
            return;
        }
        if (client.passwordCheck != null) {
            client.passwordCheck.cancel(); // an older reload's re-check: this one supersedes it
        } else {
            client.connection.setReading(false); // resumed when the answer allows it
        }
        String username = client.identity == null ? null : client.identity.username();
        client.passwordCheck = client.core.passwordChecks().check(PasswordChecks.Priority.RECHECK,
                client.security.authenticator(), client.clientId, username, client.password, client.outbox::execute,
                decision -> {
                    client.passwordCheck = null;
                    disconnectUnlessAllowed(client, decision);
                    if (client.state == Client.State.CONNECTED) {
                        client.connection.setReading(true);
                    }
                    client.outbox.flushPending();
                });
    }

    private static void disconnectUnlessAllowed(Client client, Authenticator.Decision decision) {
        // SERVER_BUSY is never the answer to a re-check (they are not refused); only a real "no" disconnects.
        if (decision != Authenticator.Decision.ALLOW && decision != Authenticator.Decision.SERVER_BUSY
                && client.state == Client.State.CONNECTED) {
            ProtocolLog.CONNECTIONS.info("Client {} disconnected: its credentials are no longer accepted after the password file was reloaded.",
                    client.clientId);
            client.counters.increment(Counter.DISCONNECTS_CREDENTIALS_REVOKED);
            client.markClosing();
            client.connection.close();
        }
    }
}
