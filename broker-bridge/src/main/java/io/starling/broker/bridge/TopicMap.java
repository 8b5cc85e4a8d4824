package io.starling.broker.bridge;

import io.starling.broker.config.BridgeTopic;
import io.starling.broker.core.topic.TopicFilter;
import java.util.List;

/**
 * The topic remapping of a bridge's {@code topic} lines, as mosquitto 2.0 does it ({@code bridge__remap_topic_in}
 * and its counterpart for messages sent out): among the lines of the message's direction that have a prefix,
 * the first whose filter on the message's side matches takes its prefix off (when the topic starts with it)
 * and puts the other side's prefix on, as plain strings. Lines without a prefix are passed over, so a topic no
 * prefixed line matches keeps its name.
 */
final class TopicMap {
    private final List<BridgeTopic> topics;

    TopicMap(List<BridgeTopic> topics) {
        this.topics = List.copyOf(topics);
    }

    /** The local name of a message the remote broker sent. */
    String toLocal(String remoteTopic) {
        for (BridgeTopic t : topics) {
            if (t.direction().in() && t.remaps() && TopicFilter.matches(t.remoteTopic(), remoteTopic)) {
                return swap(remoteTopic, t.remotePrefix(), t.localPrefix());
            }
        }
        return remoteTopic;
    }

    /** The remote name of a local message going out. */
    String toRemote(String localTopic) {
        for (BridgeTopic t : topics) {
            if (t.direction().out() && t.remaps() && TopicFilter.matches(t.localTopic(), localTopic)) {
                return swap(localTopic, t.localPrefix(), t.remotePrefix());
            }
        }
        return localTopic;
    }

    private static String swap(String topic, String from, String to) {
        String rest = from != null && topic.startsWith(from) ? topic.substring(from.length()) : topic;
        return to == null ? rest : to + rest;
    }
}
