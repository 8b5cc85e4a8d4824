package io.starling.broker.core.protocol;

import io.starling.broker.core.topic.TopicFilter;

/** mosquitto's {@code mount_point}: a listener's clients live under a topic prefix. */
final class Mounts {
    private Mounts() {
    }

    /** The filter as the broker stores it: the prefix goes inside a shared subscription's {@code $share/g/}. */
    static String mount(String mountPoint, String filter) {
        if (mountPoint.isEmpty()) {
            return filter;
        }
        TopicFilter.Shared shared = TopicFilter.isShared(filter) && TopicFilter.invalidSharedReason(filter) == null
                ? TopicFilter.parseShared(filter) : null;
        if (shared != null) {
            return TopicFilter.SHARE_PREFIX + shared.group() + "/" + mountPoint + shared.filter();
        }
        return mountPoint + filter;
    }
}
