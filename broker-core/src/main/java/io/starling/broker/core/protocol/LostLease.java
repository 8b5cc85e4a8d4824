package io.starling.broker.core.protocol;

import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.session.Session;

/**
 * A cluster node's client lease ran out: every client connection of the broker closes (5.0: DISCONNECT 0x9C
 * Use another server), each on its session's loop. Their sessions stay, as after any lost connection.
 */
public final class LostLease {
    private LostLease() {
    }

    /**
     * Closes every connected client of {@code core}, each on its loop, and runs {@code closedOne} for each
     * connection it closed (one already closing is not closed, nor counted, again); returns how many sessions
     * were online when asked.
     */
    public static int closeAll(BrokerCore core, Runnable closedOne) {
        int online = 0;
        for (Session session : core.sessions().all()) {
            if (session.isOnline()) {
                online++;
                session.owner().execute(() -> {
                    if (session.link() instanceof Client client && client.closeForLostLease()) {
                        closedOne.run();
                    }
                });
            }
        }
        return online;
    }
}
