package io.starling.broker.core.auth;

/**
 * Decides what an authenticated client may publish and read (Mosquitto's ACL semantics).
 * Implementations are immutable and thread-safe: the broker calls them from every event loop, and
 * a reload swaps in a new instance.
 */
public interface Authorizer {

    /** What a rule set says about one topic or filter. */
    enum Access { ALLOW, DENY }

    /** May this client publish to {@code topic} (also checked for its will at CONNECT)? */
    Access canPublish(ClientIdentity client, String topic);

    /** May this client receive a message on {@code topic}? Checked for every delivery, retained ones too. */
    Access canRead(ClientIdentity client, String topic);

    /**
     * May this client subscribe to {@code filter}? By default yes, as with mosquitto's
     * {@code acl_file}, which grants every filter (the SUBACK gives what was asked) and checks reads
     * per message; an authorizer that refuses filters (a plugin) overrides this.
     */
    default Access canSubscribe(ClientIdentity client, String filter) {
        return Access.ALLOW;
    }

    /**
     * May this client unsubscribe from {@code filter}? By default yes; a refusal (the dynamic security
     * plugin's {@code unsubscribeLiteral}/{@code unsubscribePattern}) keeps the subscription, and a 5.0
     * client gets 0x87 for that filter in the UNSUBACK (mosquitto 2.0's MOSQ_ACL_UNSUBSCRIBE).
     */
    default Access canUnsubscribe(ClientIdentity client, String filter) {
        return Access.ALLOW;
    }

    /**
     * What a connection's cache of this authorizer's publish decisions belongs to: the authorizer itself
     * (a reload installs a new one), or, for one whose rules change in place (dynamic security), the
     * rules in force, so that a change empties the caches.
     */
    default Object decisions() {
        return this;
    }

    /** No ACL file: everything is allowed. */
    Authorizer ALLOW_ALL = answering(Access.ALLOW);

    /**
     * Nothing is allowed: for a session restored from the store whose listener is gone or unknown with
     * per-listener rules, until it connects again (fail closed, never open).
     */
    Authorizer DENY_ALL = answering(Access.DENY);

    /** An authorizer that gives every question the same answer. */
    private static Authorizer answering(Access access) {
        return new Authorizer() {
            @Override
            public Access canPublish(ClientIdentity client, String topic) {
                return access;
            }

            @Override
            public Access canRead(ClientIdentity client, String topic) {
                return access;
            }

            @Override
            public Access canSubscribe(ClientIdentity client, String filter) {
                return access;
            }

            @Override
            public Access canUnsubscribe(ClientIdentity client, String filter) {
                return access;
            }
        };
    }
}
