package io.starling.broker.core.protocol;

import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.auth.ClientIdentity;
import io.starling.broker.core.session.Session;
import java.util.function.Predicate;

/**
 * Closes the connections whose access an administrator has just changed (dynamic security: a deleted or
 * disabled client, a new password, a role added or taken away), without their wills, so that they
 * connect again under the new rules (mosquitto 2.0 kicks them the same way). Each close runs on its
 * session's event loop, in its next batch: an administrator who closes its own connection still gets
 * the answer and the acknowledgement of the request first.
 */
public final class AdministrativeDisconnects {
    private AdministrativeDisconnects() {
    }

    /** Disconnects every connected client that {@code affected} names. Callable from any thread. */
    public static void disconnect(BrokerCore core, Predicate<ClientIdentity> affected) {
        for (Session session : core.sessions().all()) {
            if (session.isOnline()) {
                session.owner().submit(() -> onOwner(session, affected));
            }
        }
    }

    private static void onOwner(Session session, Predicate<ClientIdentity> affected) {
        if (!session.owner().inLoop()) {
            session.owner().submit(() -> onOwner(session, affected)); // it moved meanwhile
            return;
        }
        if (session.link() instanceof Client client && !client.connection.trusted()
                && affected.test(client.identity)) {
            client.closeForAdministrativeAction();
        }
    }
}
