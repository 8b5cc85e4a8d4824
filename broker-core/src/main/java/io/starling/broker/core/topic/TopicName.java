package io.starling.broker.core.topic;

/**
 * Checks on a PUBLISH topic name (MQTT 3.1.1 §4.7, MQTT 5.0 §4.7).
 *
 * <p>A topic name is what a message is published to; unlike a {@link TopicFilter} it never holds
 * wildcards [MQTT-3.3.2-2]. UTF-8 well-formedness and the 65,535-byte length limit are the codec's
 * job (it sees the bytes); this class sees the decoded {@code String} and checks the rest.
 */
public final class TopicName {

    private TopicName() {
    }

    /**
     * Returns {@code null} if {@code topic} is a valid topic name, otherwise a short reason that
     * can go into a log line or a reason string.
     *
     * @param maxLevels the most levels allowed (levels = number of '/' + 1); the broker caps this
     *                  so that matching stays cheap
     */
    public static String invalidReason(String topic, int maxLevels) {
        if (topic.isEmpty()) {
            return "empty topic"; // [MQTT-4.7.3-1]
        }
        int levels = 1;
        for (int i = 0, n = topic.length(); i < n; i++) {
            char c = topic.charAt(i);
            if (c == '/') {
                levels++;
            } else if (c == '+' || c == '#') {
                return "wildcard '" + c + "' in topic name"; // [MQTT-3.3.2-2]
            } else if (c == '\u0000') {
                return "U+0000 in topic"; // [MQTT-4.7.3-2]
            }
        }
        if (levels > maxLevels) {
            return "more than " + maxLevels + " topic levels";
        }
        return null;
    }

    /**
     * Whether the topic is a server-reserved one such as {@code $SYS/...}: wildcard filters whose
     * first level is {@code +} or {@code #} do not match it [MQTT-4.7.2-1].
     */
    public static boolean isSystem(String topic) {
        return !topic.isEmpty() && topic.charAt(0) == '$';
    }
}
