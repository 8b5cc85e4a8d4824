package io.starling.broker.auth.dynsec;

/**
 * Checks an ACL's topic as the plugin does (mosquitto_sub_topic_check): a {@code +} fills a whole level,
 * a {@code #} fills the last one; an empty topic passes.
 */
final class AclTopics {
    private AclTopics() {
    }

    static boolean valid(String topic) {
        int n = topic.length();
        for (int i = 0; i < n; i++) {
            char c = topic.charAt(i);
            boolean levelStart = i == 0 || topic.charAt(i - 1) == '/';
            boolean levelEnd = i == n - 1 || topic.charAt(i + 1) == '/';
            if (c == '+' && !(levelStart && levelEnd)) {
                return false;
            }
            if (c == '#' && !(levelStart && i == n - 1)) {
                return false;
            }
        }
        return true;
    }
}
