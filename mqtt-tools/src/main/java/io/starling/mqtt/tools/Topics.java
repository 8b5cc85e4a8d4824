package io.starling.mqtt.tools;

import java.nio.charset.StandardCharsets;

/**
 * The topic checks mosquitto's clients make on their arguments (mosquitto_pub_topic_check and
 * mosquitto_sub_topic_check), and topic matching for {@code -T}.
 */
final class Topics {
    private Topics() {
    }

    /** A topic name to publish to: no wildcards, at most 65,535 bytes. */
    static boolean isValidName(String topic) {
        return topic.indexOf('+') < 0 && topic.indexOf('#') < 0 && fits(topic);
    }

    /** A topic filter: '+' alone in its level, '#' alone in the last level. */
    static boolean isValidFilter(String filter) {
        if (!fits(filter)) {
            return false;
        }
        String[] levels = filter.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            if (level.indexOf('+') >= 0 && !level.equals("+")) {
                return false;
            }
            if (level.indexOf('#') >= 0 && (!level.equals("#") || i != levels.length - 1)) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code topic} matches {@code filter} (a leading wildcard does not match a '$' topic). */
    static boolean matches(String filter, String topic) {
        if (topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) {
            return false;
        }
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true;
            }
            if (i >= t.length) {
                return false;
            }
            if (!f[i].equals("+") && !f[i].equals(t[i])) {
                return false;
            }
        }
        return f.length == t.length;
    }

    private static boolean fits(String topic) {
        return topic.getBytes(StandardCharsets.UTF_8).length <= 0xFFFF;
    }
}
