package io.starling.broker.config;

import java.util.Objects;

/**
 * One {@code topic <pattern> [[[out|in|both] qos] local-prefix remote-prefix]} line of a bridge. The prefixes
 * are joined to the pattern as plain strings, as mosquitto does (no {@code /} is added): the bridge
 * subscribes to {@link #localTopic()} on this broker and to {@link #remoteTopic()} on the other.
 *
 * @param pattern      the filter, or null for {@code ""} (then both prefixes are given, and each is a topic)
 * @param direction    which way messages go
 * @param qos          the QoS of the bridge's subscriptions for this line (0-2)
 * @param localPrefix  put in front of the pattern on this broker, or null
 * @param remotePrefix put in front of the pattern on the remote broker, or null
 */
public record BridgeTopic(String pattern, Direction direction, int qos, String localPrefix, String remotePrefix) {

    /** Which way messages of a topic line travel: {@code out} to the remote broker, {@code in} from it. */
    public enum Direction {
        OUT, IN, BOTH;

        public boolean out() {
            return this != IN;
        }

        public boolean in() {
            return this != OUT;
        }
    }

    public BridgeTopic {
        Objects.requireNonNull(direction, "direction");
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("qos must be 0, 1 or 2: " + qos);
        }
        if (pattern == null && (localPrefix == null || remotePrefix == null)) {
            throw new IllegalArgumentException("an empty pattern needs both prefixes");
        }
    }

    /** The filter the bridge subscribes to on this broker (for {@code out} and {@code both}). */
    public String localTopic() {
        return join(localPrefix, pattern);
    }

    /** The filter the bridge subscribes to on the remote broker (for {@code in} and {@code both}). */
    public String remoteTopic() {
        return join(remotePrefix, pattern);
    }

    /** Whether this line rewrites topics (mosquitto only remaps through lines with a prefix). */
    public boolean remaps() {
        return localPrefix != null || remotePrefix != null;
    }

    private static String join(String prefix, String pattern) {
        if (prefix == null) {
            return pattern;
        }
        return pattern == null ? prefix : prefix + pattern;
    }
}
