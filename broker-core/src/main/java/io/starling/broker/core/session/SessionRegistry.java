package io.starling.broker.core.session;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sessions by client id, online and offline. Thread-safe: connects on any loop look sessions up
 * here; each session's own state stays with its owner loop.
 */
public final class SessionRegistry {
    private final ConcurrentHashMap<String, Session> byClientId = new ConcurrentHashMap<>();

    public Session get(String clientId) {
        return byClientId.get(clientId);
    }

    /** Registers {@code session} unless another is already there; returns the one registered. */
    public Session putIfAbsent(Session session) {
        Session existing = byClientId.putIfAbsent(session.clientId(), session);
        return existing == null ? session : existing;
    }

    /** Removes the session if it is still the one registered for its client id. */
    public void remove(Session session) {
        byClientId.remove(session.clientId(), session);
    }

    public int size() {
        return byClientId.size();
    }

    public Collection<Session> all() {
        return byClientId.values();
    }
}
