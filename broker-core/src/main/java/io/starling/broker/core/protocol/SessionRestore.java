package io.starling.broker.core.protocol;

import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.auth.ClientIdentity;
import io.starling.broker.core.auth.ReservedTopics;
import io.starling.broker.core.auth.SecurityRules;
import io.starling.broker.core.routing.LoopOutbox;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.session.Session;
import io.starling.broker.core.store.RetainedStore;
import io.starling.broker.core.store.StoredState;
import java.util.List;
import java.util.function.IntFunction;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Start-up: puts back what the store kept (retained messages, and offline sessions with their
 * subscriptions, queues, timers and delayed wills) before any listener opens. Sessions are spread
 * over the event loops; a client that connects later takes its session over to its own loop.
 */
public final class SessionRestore {
    private SessionRestore() {
    }

    /**
     * Takes over the references of every message in {@code state}.
     *
     * @param listenerSecurity the rules of the listener on a port, as a session that connected through
     *                         it had them (the broker's, or the listener's with per_listener_settings);
     *                         called with 0 for a session stored without its port
     */
    public static void restore(BrokerCore core, StoredState state, List<LoopOutbox> loops,
                               IntFunction<SecurityRules> listenerSecurity) throws InterruptedException {
        restore(core, core.retained(), state, loops, listenerSecurity);
    }

    /**
     * As {@link #restore(BrokerCore, StoredState, List, IntFunction)}, with the retained messages put in
     * {@code retained}: a cluster node's own local store, under the core's replicated one, so that a
     * restart does not write its old values over the cluster's newer ones as new writes.
     */
    public static void restore(BrokerCore core, RetainedStore retained, StoredState state, List<LoopOutbox> loops,
                               IntFunction<SecurityRules> listenerSecurity) throws InterruptedException {
        for (Message m : state.retained()) {
            if (ReservedTopics.clientMayPublish(m.topic())) {
                retained.put(m);
                continue;
            }
            // The broker never stores its own $SYS values: this one came from a client, before
            // clients were kept out of $SYS. It would stand in for the broker's value; forget it.
            ProtocolLog.LOG.warn("Dropped the stored retained message on {}: clients may not write it.", m.topic());
            core.store().deleteRetained(m.topic());
            m.release();
        }
        CompletableFuture<?>[] done = new CompletableFuture<?>[loops.size()];
        for (int i = 0; i < loops.size(); i++) {
            LoopOutbox loop = loops.get(i);
            List<StoredState.RestoredSession> mine = new java.util.ArrayList<>();
            for (int j = i; j < state.sessions().size(); j += loops.size()) {
                mine.add(state.sessions().get(j));
            }
            CompletableFuture<Void> f = new CompletableFuture<>();
            done[i] = f;
            loop.submit(() -> {
                try {
                    mine.forEach(s -> restoreOne(core, loop, s, listenerSecurity));
                    f.complete(null);
                } catch (RuntimeException e) {
                    f.completeExceptionally(e);
                }
            });
        }
        try {
            CompletableFuture.allOf(done).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("Could not restore the stored sessions: " + e.getCause(), e.getCause());
        }
    }

    /** Runs on {@code loop}, which owns the new session. */
    private static void restoreOne(BrokerCore core, LoopOutbox loop, StoredState.RestoredSession stored,
                                   IntFunction<SecurityRules> listenerSecurity) {
        String clientId = stored.header().clientId();
        Session session = new Session(clientId, loop, core.sessionContext());
        session.setExpiryInterval(stored.header().expiryIntervalSeconds());
        session.setIdentity(new ClientIdentity(clientId, stored.header().username()));
        int port = stored.header().listenerPort();
        session.setSecurity(listenerSecurity.apply(port), port); // until it connects again
        session.restore(stored);
        core.sessions().putIfAbsent(session);
        long offlineSince = stored.header().disconnectedAtMillis();
        long expiry = stored.header().expiryIntervalSeconds();
        if (expiry != Session.NEVER_EXPIRES) {
            // The time spent offline before the restart counts (the store dropped sessions already past it).
            long elapsed = offlineSince == 0 ? 0 : Math.max(0, (System.currentTimeMillis() - offlineSince) / 1000);
            SessionEnd.startExpiryTimer(core, session, Math.max(1, expiry - elapsed));
        }
        if (stored.will() != null) {
            Wills.restore(core, session, stored.will(), stored.willAtMillis());
        }
    }
}
