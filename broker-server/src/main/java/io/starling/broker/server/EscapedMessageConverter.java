package io.starling.broker.server;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.pattern.DynamicConverter;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code %msg} with control characters escaped, so that one log call is one line whatever a client
 * sent: a client id, user name or topic with a newline cannot forge a log line ("...\n1700000000: New
 * client connected ... as admin"), nor a terminal escape sequence rewrite what an operator sees.
 * Escaping the whole message, not each value, covers every log line of every class at once.
 *
 * <p>{@code \n}, {@code \r}, {@code \t} are written as such, other C0 and C1 controls, DEL and the
 * Unicode line and paragraph separators as {@code \xHH} or {@code \\uHHHH}; everything else,
 * backslashes included, is left as it is. Exceptions ({@code %ex}) are rendered apart and keep their
 * lines. Registered for the word {@code msg} (and {@code m}, {@code message}) in the logger context,
 * by {@code logback.xml} and by {@link #register}.
 */
public final class EscapedMessageConverter extends MessageConverter {

    /** Makes {@code %msg}, {@code %m} and {@code %message} escape in every pattern of the context built after this. */
    @SuppressWarnings("unchecked")
    static void register(LoggerContext context) {
        Map<String, Supplier<DynamicConverter>> rules =
                (Map<String, Supplier<DynamicConverter>>) context.getObject(CoreConstants.PATTERN_RULE_REGISTRY_FOR_SUPPLIERS);
        if (rules == null) {
            rules = new HashMap<>();
            context.putObject(CoreConstants.PATTERN_RULE_REGISTRY_FOR_SUPPLIERS, rules);
        }
        for (String word : new String[] {"msg", "m", "message"}) {
            rules.put(word, EscapedMessageConverter::new);
        }
    }

    @Override
    public String convert(ILoggingEvent event) {
        return escape(event.getFormattedMessage());
    }

    /** The text with its control characters escaped; the same string when it has none. */
    static String escape(String text) {
        if (text == null) {
            return null;
        }
        int i = 0;
        while (i < text.length() && !needsEscape(text.charAt(i))) {
            i++;
        }
        if (i == text.length()) {
            return text;
        }
        StringBuilder b = new StringBuilder(text.length() + 16).append(text, 0, i);
        for (; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!needsEscape(c)) {
                b.append(c);
            } else if (c == '\n') {
                b.append("\\n");
            } else if (c == '\r') {
                b.append("\\r");
            } else if (c == '\t') {
                b.append("\\t");
            } else if (c <= 0xFF) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(String.format("\\u%04x", (int) c));
            }
        }
        return b.toString();
    }

    private static boolean needsEscape(char c) {
        return c < 0x20 || c >= 0x7F && c <= 0x9F || c == '\u2028' || c == '\u2029';
    }
}
