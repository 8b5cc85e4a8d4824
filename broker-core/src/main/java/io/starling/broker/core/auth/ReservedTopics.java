package io.starling.broker.core.auth;

/**
 * Topics that belong to the broker whatever the ACL says, as in mosquitto 2.0
 * ({@code acl__check_dollar} in {@code src/security.c}): a client may not publish under {@code $SYS}
 * (the broker's own status tree, which a fake retained value would otherwise replace for every later
 * reader) except a bridge's {@code $SYS/broker/connection/<id>/state}, nor to a {@code $share/...}
 * name, which only subscriptions use. Other {@code $} topics are left to the ACL, as mosquitto does.
 * Checked for every PUBLISH and every will, before the ACL.
 */
public final class ReservedTopics {
    private static final String BRIDGE_STATE_PREFIX = "$SYS/broker/connection/";
    private static final String BRIDGE_STATE_SUFFIX = "/state";

    private ReservedTopics() {
    }

    /** Whether a client may publish to {@code topic} (a valid topic name, after any mount point). */
    public static boolean clientMayPublish(String topic) {
        if (topic.isEmpty() || topic.charAt(0) != '$') {
            return true;
        }
        if (topic.startsWith("$SYS")) { // mosquitto compares the first four characters only
            return isBridgeState(topic);
        }
        return !topic.startsWith("$share");
    }

    /** {@code $SYS/broker/connection/+/state}: one level between the two. */
    private static boolean isBridgeState(String topic) {
        if (!topic.startsWith(BRIDGE_STATE_PREFIX) || !topic.endsWith(BRIDGE_STATE_SUFFIX)) {
            return false;
        }
        int start = BRIDGE_STATE_PREFIX.length();
        int end = topic.length() - BRIDGE_STATE_SUFFIX.length();
        return end >= start && topic.indexOf('/', start) == end;
    }
}
