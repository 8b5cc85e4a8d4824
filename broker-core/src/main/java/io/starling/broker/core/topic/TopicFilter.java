package io.starling.broker.core.topic;

/**
 * Checks on a SUBSCRIBE / UNSUBSCRIBE topic filter (MQTT 3.1.1 §4.7.1, MQTT 5.0 §4.7.1 and §4.8.2).
 *
 * <p>A shared subscription ({@code $share/{group}/{filter}}, MQTT 5.0 §4.8.2) is recognised by
 * {@link #parseShared}; callers validate the group with {@link #invalidSharedReason} and then the
 * inner filter with {@link #invalidReason}, so that level limits apply to the filter that is
 * actually matched, not to the {@code $share/group} prefix.
 */
public final class TopicFilter {

    /** Prefix of a shared subscription filter [MQTT-4.8.2-1]. */
    public static final String SHARE_PREFIX = "$share/";

    private TopicFilter() {
    }

    /**
     * A parsed shared subscription: {@code $share/group/filter}.
     *
     * @param group  the share name: non-empty, without '/', '+', '#' or U+0000 [MQTT-4.8.2-2]
     * @param filter the topic filter that is matched; non-empty (its syntax is checked separately
     *               with {@link TopicFilter#invalidReason})
     */
    public record Shared(String group, String filter) {
        public Shared {
            String reason = groupReason(group);
            if (reason == null && filter.isEmpty()) {
                reason = "shared subscription without a topic filter";
            }
            if (reason != null) {
                throw new IllegalArgumentException(reason);
            }
        }
    }

    /**
     * Returns {@code null} if {@code filter} is a valid topic filter, otherwise a short reason.
     *
     * @param maxLevels the most levels allowed (levels = number of '/' + 1)
     */
    public static String invalidReason(String filter, int maxLevels) {
        int n = filter.length();
        if (n == 0) {
            return "empty topic filter"; // [MQTT-4.7.3-1]
        }
        int levels = 1;
        for (int i = 0; i < n; i++) {
            char c = filter.charAt(i);
            // A wildcard must fill its whole level: preceded by '/' or the start, followed by '/'
            // or the end. '#' must in addition be the last character [MQTT-4.7.1-2].
            boolean startsLevel = i == 0 || filter.charAt(i - 1) == '/';
            boolean endsLevel = i == n - 1 || filter.charAt(i + 1) == '/';
            if (c == '/') {
                levels++;
            } else if (c == '#') {
                if (!startsLevel || i != n - 1) {
                    return "'#' must be alone in the last level";
                }
            } else if (c == '+') {
                if (!startsLevel || !endsLevel) {
                    return "'+' must be alone in its level"; // [MQTT-4.7.1-3]
                }
            } else if (c == '\u0000') {
                return "U+0000 in topic filter"; // [MQTT-4.7.3-2]
            }
        }
        if (levels > maxLevels) {
            return "more than " + maxLevels + " topic levels";
        }
        return null;
    }

    /** Whether the filter uses the {@code $share/} syntax, valid or not. */
    public static boolean isShared(String filter) {
        return filter.startsWith(SHARE_PREFIX);
    }

    /**
     * Returns {@code null} if {@code filter} is not a shared subscription or is a well-formed one,
     * otherwise a short reason (bad group name, or nothing after the group).
     */
    public static String invalidSharedReason(String filter) {
        if (!isShared(filter)) {
            return null;
        }
        int slash = filter.indexOf('/', SHARE_PREFIX.length());
        if (slash < 0) {
            String reason = groupReason(filter.substring(SHARE_PREFIX.length()));
            return reason != null ? reason : "shared subscription without a topic filter";
        }
        String reason = groupReason(filter.substring(SHARE_PREFIX.length(), slash));
        if (reason != null) {
            return reason;
        }
        return slash == filter.length() - 1 ? "shared subscription without a topic filter" : null;
    }

    /**
     * Splits {@code $share/group/filter}; returns {@code null} if the filter is not shared.
     *
     * @throws IllegalArgumentException if it is shared but {@link #invalidSharedReason} is not null
     */
    public static Shared parseShared(String filter) {
        if (!isShared(filter)) {
            return null;
        }
        String reason = invalidSharedReason(filter);
        if (reason != null) {
            throw new IllegalArgumentException(reason + ": " + filter);
        }
        int slash = filter.indexOf('/', SHARE_PREFIX.length());
        return new Shared(filter.substring(SHARE_PREFIX.length(), slash), filter.substring(slash + 1));
    }

    private static String groupReason(String group) {
        if (group.isEmpty()) {
            return "empty share name"; // [MQTT-4.8.2-1]
        }
        for (int i = 0; i < group.length(); i++) {
            char c = group.charAt(i);
            if (c == '/' || c == '+' || c == '#') {
                return "share name contains '" + c + "'"; // [MQTT-4.8.2-2]
            }
            if (c == '\u0000') {
                return "U+0000 in share name"; // [MQTT-4.7.3-2]
            }
        }
        return null;
    }

    /**
     * Whether a valid {@code filter} matches {@code topic}: the same rules as {@link SubscriptionTree},
     * for one-off checks such as retained messages on subscribe. A filter starting with a wildcard
     * never matches a topic starting with '$' [MQTT-4.7.2-1].
     */
    public static boolean matches(String filter, String topic) {
        if (!topic.isEmpty() && topic.charAt(0) == '$' && !filter.isEmpty()
                && (filter.charAt(0) == '+' || filter.charAt(0) == '#')) {
            return false;
        }
        int f = 0;
        int t = 0;
        int fn = filter.length();
        int tn = topic.length();
        while (true) {
            int fEnd = filter.indexOf('/', f);
            if (fEnd < 0) {
                fEnd = fn;
            }
            if (fEnd - f == 1 && filter.charAt(f) == '#') {
                return true; // '#' also matches the parent level: "a/#" matches "a"
            }
            if (t > tn) {
                return false; // the topic has no more levels
            }
            int tEnd = topic.indexOf('/', t);
            if (tEnd < 0) {
                tEnd = tn;
            }
            boolean plus = fEnd - f == 1 && filter.charAt(f) == '+';
            if (!plus && (fEnd - f != tEnd - t || !filter.regionMatches(f, topic, t, fEnd - f))) {
                return false;
            }
            boolean filterDone = fEnd == fn;
            boolean topicDone = tEnd == tn;
            if (filterDone || topicDone) {
                if (filterDone && topicDone) {
                    return true;
                }
                // "a/#" matches "a": the filter may go on with exactly one more level, "#".
                return topicDone && fn - fEnd == 2 && filter.charAt(fn - 1) == '#';
            }
            f = fEnd + 1;
            t = tEnd + 1;
        }
    }
}
