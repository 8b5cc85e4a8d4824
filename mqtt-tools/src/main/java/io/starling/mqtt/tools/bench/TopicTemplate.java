package io.starling.mqtt.tools.bench;

/**
 * A topic with placeholders, as emqtt-bench takes them: {@code %i} is the client's index (1 to
 * {@code -c}), {@code %c} its client identifier, {@code %%} a percent sign. "bench/%i" gives each
 * publisher its own topic; "bench/#" subscribes to them all.
 */
public record TopicTemplate(String pattern) {
    public TopicTemplate {
        if (pattern == null || pattern.isEmpty()) {
            throw new IllegalArgumentException("empty topic");
        }
        for (int i = 0; i < pattern.length(); i++) {
            if (pattern.charAt(i) == '%') {
                char next = i + 1 < pattern.length() ? pattern.charAt(i + 1) : 0;
                if (next != 'i' && next != 'c' && next != '%') {
                    throw new IllegalArgumentException("topic '" + pattern + "': after % comes i, c or %");
                }
                i++;
            }
        }
    }

    /** The topic of client number {@code index} (from 1) named {@code clientId}. */
    public String expand(int index, String clientId) {
        if (pattern.indexOf('%') < 0) {
            return pattern;
        }
        StringBuilder out = new StringBuilder(pattern.length() + 16);
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            char next = pattern.charAt(++i);
            if (next == 'i') {
                out.append(index);
            } else if (next == 'c') {
                out.append(clientId);
            } else {
                out.append('%');
            }
        }
        return out.toString();
    }
}
