package io.starling.broker.config.parse;

/**
 * The MQTT topic rules the config needs (the config module depends on no other): a topic name has no
 * wildcard; in a filter {@code +} fills a whole level and {@code #} is the whole last level.
 */
final class TopicSyntax {
    private TopicSyntax() {
    }

    /** A name a message can be published to: no {@code +} or {@code #} (empty is allowed, as a prefix). */
    static boolean isTopicName(String topic) {
        return topic.indexOf('+') < 0 && topic.indexOf('#') < 0;
    }

    /** A valid subscription filter. */
    static boolean isTopicFilter(String filter) {
        if (filter.isEmpty()) {
            return false;
        }
        String[] levels = filter.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            if (level.equals("#")) {
                if (i != levels.length - 1) {
                    return false;
                }
            } else if (!level.equals("+") && (level.indexOf('+') >= 0 || level.indexOf('#') >= 0)) {
                return false;
            }
        }
        return true;
    }
}
