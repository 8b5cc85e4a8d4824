package io.starling.broker.core.protocol;

import io.starling.broker.core.auth.Authorizer;
import io.starling.broker.core.auth.ClientIdentity;
import io.starling.broker.core.auth.ReservedTopics;
import java.util.HashMap;

/**
 * One connection's cache of publish decisions, so that a client publishing to the same topics does
 * not walk the ACL for every message. It belongs to the decisions it was filled from
 * ({@link Authorizer#decisions()}): a reload installs a new Authorizer, dynamic security new rules, and
 * the cache starts over. Threading: the connection's event loop.
 */
final class PublishAcl {
    private static final int MAX_ENTRIES = 256;

    /** {@link Authorizer#decisions()} of the authorizer the cache was filled from. */
    private Object owner;
    /** Null until an ACL is in force: with none (allow all) a connection carries no cache. */
    private HashMap<String, Boolean> allowed;

    /**
     * Whether a client may publish to {@code topic}: not a topic reserved for the broker, and allowed
     * by the ACL. The one decision for PUBLISH and wills (at CONNECT and again when a will is sent).
     */
    static boolean permits(Authorizer authorizer, ClientIdentity identity, String topic) {
        return ReservedTopics.clientMayPublish(topic)
                && (authorizer == Authorizer.ALLOW_ALL || authorizer.canPublish(identity, topic) == Authorizer.Access.ALLOW);
    }

    /** {@link #permits}, remembered per topic for this connection. */
    boolean mayPublish(Authorizer authorizer, ClientIdentity identity, String topic) {
        if (authorizer == Authorizer.ALLOW_ALL) {
            return ReservedTopics.clientMayPublish(topic);
        }
        if (allowed == null) {
            allowed = new HashMap<>();
        }
        Object decisions = authorizer.decisions();
        if (owner != decisions || allowed.size() >= MAX_ENTRIES) {
            owner = decisions;
            allowed.clear();
        }
        Boolean known = allowed.get(topic);
        if (known == null) {
            known = permits(authorizer, identity, topic);
            allowed.put(topic, known);
        }
        return known;
    }
}
