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
 * epoch of its claim. The epoch fences: a session that comes for another epoch (a late answer to an
 * older claim), or after the wait gave up, or for an id no CONNECT waits for, is dropped and its
 * messages released. After {@code wait} a CONNECT goes on with a fresh session, and says so in the log.
 * Thread-safe.
 */
final class AwaitedSessions {
    private static final Logger LOG = LoggerFactory.getLogger(AwaitedSessions.class);

    private record Awaited(long epoch, CompletableFuture<StoredState.RestoredSession> session) {
    }

    private final Duration wait;
    private final Map<String, Awaited> byClientId = new ConcurrentHashMap<>();

    AwaitedSessions(Duration wait) {
        this.wait = wait;
    }

    /**
     * A CONNECT for the claim {@code epoch} of {@code clientId} waits for its session from {@code from}:
     * completes with it, or with null when {@code from} had none, after {@code wait}, or when a newer
     * CONNECT of the id on this node replaces this one.
     */
    CompletableFuture<StoredState.RestoredSession> await(String clientId, long epoch, Object from) {
        Awaited awaited = new Awaited(epoch, new CompletableFuture<>());
        Awaited older = byClientId.put(clientId, awaited);
        if (older != null) {
            older.session().complete(null);
        }
        CompletableFuture.delayedExecutor(wait.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            if (byClientId.remove(clientId, awaited) && awaited.session().complete(null)) {
                LOG.warn("Session of {} did not come from node {} within {} ms: starting a fresh session.",
                        clientId, from, wait.toMillis());
            }
        });
        return awaited.session();
    }

    /**
     * The session of {@code clientId} for the claim {@code epoch} came (null: the other node had none).
     * Returns whether a CONNECT took it; if not, its messages are released here.
     */
    boolean arrived(String clientId, long epoch, StoredState.RestoredSession session, Object from) {
        Awaited awaited = byClientId.get(clientId);
        if (awaited != null && awaited.epoch() == epoch && byClientId.remove(clientId, awaited)
                && awaited.session().complete(session)) {
            return true;
        }
        if (session != null) {
            LOG.info("Dropped the session of {} from node {} for claim epoch {}: no CONNECT waits for it (late or fenced).",
                    clientId, from, epoch);
            session.release();
        }
        return false;
    }

    int size() {
        return byClientId.size();
    }
}
