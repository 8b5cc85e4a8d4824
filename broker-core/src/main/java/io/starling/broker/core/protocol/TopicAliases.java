package io.starling.broker.core.protocol;

import java.util.HashMap;

/**
 * The topic aliases of one MQTT 5 connection (§3.3.2.3.4), both ways: the ones the client set for
 * its PUBLISH packets (up to the broker's Topic Alias Maximum), and the ones the broker assigns when
 * sending (up to the client's). Aliases belong to the connection and start empty on each one.
 * Threading: the connection's event loop.
 */
final class TopicAliases {
    private final String[] inbound;
    private final int outboundMaximum;
    private HashMap<String, Integer> outbound;

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
        if (outbound.size() >= outboundMaximum) {
            return 0;
        }
        int alias = outbound.size() + 1;
        outbound.put(topic, alias);
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
        }
    }
}
