package io.starling.broker.core.protocol;

import java.util.HashMap;

/**
 * The topic aliases of one MQTT 5 connection (§3.3.2.3.4), both ways: the ones the client set for
 * its PUBLISH packets (up to the broker's Topic Alias Maximum), and the ones the broker assigns when
 * sending (up to the client's). Aliases belong to the connection and start empty on each one.
 * Threading: the connection's event loop.
 *
 * <p>The outbound aliases are bounded by the topics' total length as well as by the client's Topic
 * Alias Maximum: a client announcing 65,535 aliases and subscribing to long topics would otherwise
 * make the broker keep up to 4 GiB of topic names for it (issue 14). Past the budget, topics are sent
 * whole, which is always allowed.
 */
final class TopicAliases {
    /** Characters of topic names one connection's outbound aliases may keep. */
    static final int OUTBOUND_TOPIC_CHARS = 64 * 1024;

    private final String[] inbound;
    private final int outboundMaximum;
    private HashMap<String, Integer> outbound;
    private int outboundChars;

    TopicAliases(int inboundMaximum, int outboundMaximum) {
        this.inbound = new String[inboundMaximum + 1];
        this.outboundMaximum = outboundMaximum;
    }

    /** Whether an alias the client sent is within the broker's maximum (0 is never valid). */
    boolean isValidInbound(int alias) {
        return alias > 0 && alias < inbound.length;
    }

    void setInbound(int alias, String topic) {
        inbound[alias] = topic;
    }

    /** The topic a client's alias stands for, or null if it never set one. */
    String inbound(int alias) {
        return inbound[alias];
    }

    /**
     * The alias to send {@code topic} with: negative when it already has one (send the alias alone:
     * {@code -alias}), positive when a new one was assigned (send topic and alias), 0 when the
     * client accepts no more aliases (send the topic alone).
     */
    int outbound(String topic) {
        if (outboundMaximum == 0) {
            return 0;
        }
        if (outbound == null) {
            outbound = new HashMap<>();
        }
        Integer known = outbound.get(topic);
        if (known != null) {
            return -known;
        }
        if (outbound.size() >= outboundMaximum || outboundChars + topic.length() > OUTBOUND_TOPIC_CHARS) {
            return 0;
        }
        int alias = outbound.size() + 1;
        outbound.put(topic, alias);
        outboundChars += topic.length();
        return alias;
    }

    /**
     * Takes back the alias {@link #outbound} just assigned to {@code topic} when the PUBLISH that was
     * to announce it is not sent after all, so that the client never sees the alias used alone.
     */
    void unassignOutbound(String topic) {
        Integer alias = outbound == null ? null : outbound.get(topic);
        if (alias != null && alias == outbound.size()) {
            outbound.remove(topic); // the newest alias: the next one assigned reuses its number
            outboundChars -= topic.length();
        }
    }
}
