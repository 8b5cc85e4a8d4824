package io.starling.broker.cluster.takeover;

import io.starling.broker.core.store.StoredState;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CONNECTs of this node waiting for their session from another node, by client id, each for the
 * epoch of its claim. The epoch fences: a session that comes for an older epoch than the one awaited (a
 * late answer to an older claim), or after the wait gave up, is dropped and its messages released. After
 * {@code wait} a CONNECT goes on with a fresh session, and says so in the log.
 *
 * <p>A session may also come <i>before</i> its CONNECT waits: the old node learns of the claim when it
 * applies the registry's log entry, which can be before this node's claim call returns (the leader applies
 * first), and then sends a session that ends with its connection at once. Such a session is kept for
 * {@code wait}, for a CONNECT of its epoch, and then dropped. Thread-safe.
 */
final class AwaitedSessions {
    private static final Logger LOG = LoggerFactory.getLogger(AwaitedSessions.class);

    /**
     * What a waiting CONNECT gets: the session ({@code null}: none), and whether the old node answered at
     * all (false: it was not in the view, or said nothing within the wait).
     */
    record Outcome(StoredState.RestoredSession session, boolean heard) {
        static final Outcome SILENT = new Outcome(null, false);
        static final Outcome NONE = new Outcome(null, true);
    }

    private record Awaited(long epoch, CompletableFuture<Outcome> session) {
    }

    /** A session that came before a CONNECT waited for it. */
    private record Early(long epoch, StoredState.RestoredSession session, Object from) {
    }

    private final Duration wait;
    private final Map<String, Awaited> byClientId = new ConcurrentHashMap<>();
    private final Map<String, Early> early = new ConcurrentHashMap<>();

    AwaitedSessions(Duration wait) {
        this.wait = wait;
    }

    /**
     * A CONNECT for the claim {@code epoch} of {@code clientId} waits for its session from {@code from}:
     * completes with it; with none when {@code from} had none or a newer CONNECT of the id on this node
     * replaces this one; or with none and not heard after {@code wait} or {@link #unreachable}. Completes at once when the session came already.
     */
    CompletableFuture<Outcome> await(String clientId, long epoch, Object from) {
        Awaited awaited = new Awaited(epoch, new CompletableFuture<>());
        Awaited older = byClientId.put(clientId, awaited);
        if (older != null) {
            older.session().complete(Outcome.NONE);
        }
        Early came = early.get(clientId);
        if (came != null && came.epoch() <= epoch && early.remove(clientId, came)) {
            if (came.epoch() == epoch) {
                take(clientId, awaited, came.session());
                return awaited.session();
            }
            drop(clientId, came.epoch(), came.session(), came.from()); // for an older claim
        }
        CompletableFuture.delayedExecutor(wait.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            if (byClientId.remove(clientId, awaited) && awaited.session().complete(Outcome.SILENT)) {
                LOG.warn("Session of {} did not come from node {} within {} ms: starting a fresh session.",
                        clientId, from, wait.toMillis());
            }
        });
        return awaited.session();
    }

    /**
     * The session of {@code clientId} for the claim {@code epoch} came (null: the other node had none).
     * Returns whether a CONNECT took it or it waits for one (its epoch is newer than any awaited here); if
     * not, its messages are released here.
     */
    boolean arrived(String clientId, long epoch, StoredState.RestoredSession session, Object from) {
        Awaited awaited = byClientId.get(clientId);
        if (awaited != null && awaited.epoch() == epoch) {
            return take(clientId, awaited, session);
        }
        if (session != null && (awaited == null || awaited.epoch() < epoch)) {
            Early came = new Early(epoch, session, from);
            keepEarly(clientId, came);
            Awaited now = byClientId.get(clientId); // its CONNECT may have begun to wait meanwhile
            if (now != null && now.epoch() == epoch && early.remove(clientId, came)) {
                return take(clientId, now, session);
            }
            return true;
        }
        drop(clientId, epoch, session, from);
        return false;
    }

    /** The CONNECT for the claim {@code epoch} of {@code clientId} goes on without an answer: {@code from} cannot be asked. */
    void unreachable(String clientId, long epoch) {
        Awaited awaited = byClientId.get(clientId);
        if (awaited != null && awaited.epoch() == epoch && byClientId.remove(clientId, awaited)) {
            awaited.session().complete(Outcome.SILENT);
        }
    }

    private boolean take(String clientId, Awaited awaited, StoredState.RestoredSession session) {
        if (byClientId.remove(clientId, awaited) && awaited.session().complete(new Outcome(session, true))) {
            return true;
        }
        drop(clientId, awaited.epoch(), session, "this node"); // the wait gave up meanwhile
        return false;
    }

    private void keepEarly(String clientId, Early came) {
        LOG.debug("Session of {} from node {} for claim epoch {} came before its CONNECT waits: kept for {} ms.",
                clientId, came.from(), came.epoch(), wait.toMillis());
        Early replaced = early.put(clientId, came);
        if (replaced != null) {
            drop(clientId, replaced.epoch(), replaced.session(), replaced.from());
        }
        CompletableFuture.delayedExecutor(wait.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            if (early.remove(clientId, came)) {
                drop(clientId, came.epoch(), came.session(), came.from());
            }
        });
    }

    private static void drop(String clientId, long epoch, StoredState.RestoredSession session, Object from) {
        if (session != null) {
            LOG.info("Dropped the session of {} from node {} for claim epoch {}: no CONNECT waits for it (late or fenced).",
                    clientId, from, epoch);
            session.release();
        }
    }

    /** CONNECTs waiting, and sessions that came before theirs. */
    int size() {
        return byClientId.size() + early.size();
    }
}
