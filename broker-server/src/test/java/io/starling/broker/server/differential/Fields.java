package io.starling.broker.server.differential;

import io.starling.broker.server.differential.PacketText.Token;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code key=value} words of one packet line, in the order written. Every word must be used by
 * the packet it belongs to, so that a misspelt field fails the scenario instead of being ignored.
 */
final class Fields {
    private static final List<String> SUBSCRIPTION_OPTIONS = List.of("qos", "nl", "rap", "rh", "opts");

    private final List<Token> tokens;
    private final boolean[] used;

    Fields(List<Token> tokens) {
        this.tokens = tokens;
        this.used = new boolean[tokens.size()];
        for (Token t : tokens) {
            if (t.value() == null) {
                throw new IllegalArgumentException("expected key=value, got '" + t.key() + "'");
            }
        }
    }

    /** One repeated field (a SUBSCRIBE's topic, a SUBACK's rc) with the options written after it. */
    record Entry(String key, String value, Map<String, String> options) {
        long number(String option, long otherwise) {
            String v = options.get(option);
            return v == null ? otherwise : parseNumber(v);
        }
    }

    static long parseNumber(String value) {
        return value.startsWith("0x") || value.startsWith("0X") ? Long.parseLong(value.substring(2), 16)
                : Long.parseLong(value);
    }

    boolean has(String key) {
        return index(key) >= 0;
    }

    String text(String key, String otherwise) {
        int i = index(key);
        if (i < 0) {
            return otherwise;
        }
        used[i] = true;
        return tokens.get(i).value();
    }

    long number(String key, long otherwise) {
        String v = text(key, null);
        return v == null ? otherwise : parseNumber(v);
    }

    /** True when a property (named with {@code prefix}, "" for the packet's own) is written. */
    boolean hasProperties(String prefix) {
        return tokens.stream().anyMatch(t -> isProperty(t.key(), prefix));
    }

    List<Entry> properties(String prefix) {
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            if (isProperty(tokens.get(i).key(), prefix)) {
                used[i] = true;
                out.add(new Entry(tokens.get(i).key(), tokens.get(i).value(), Map.of()));
            }
        }
        return out;
    }

    /**
     * Every {@code key=} word in order; for {@code topic}, with the subscription options written
     * after it ({@code qos nl rap rh opts}) up to the next topic.
     */
    List<Entry> entries(String key) {
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            if (!tokens.get(i).key().equals(key)) {
                continue;
            }
            used[i] = true;
            Map<String, String> options = new HashMap<>();
            for (int j = i + 1; j < tokens.size() && key.equals("topic")
                    && SUBSCRIPTION_OPTIONS.contains(tokens.get(j).key()); j++) {
                used[j] = true;
                options.put(tokens.get(j).key(), tokens.get(j).value());
            }
            out.add(new Entry(key, tokens.get(i).value(), options));
        }
        return out;
    }

    void requireAllUsed(String packet) {
        for (int i = 0; i < tokens.size(); i++) {
            if (!used[i]) {
                throw new IllegalArgumentException(packet + " has no field '" + tokens.get(i).key() + "'");
            }
        }
    }

    private int index(String key) {
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.get(i).key().equals(key)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isProperty(String key, String prefix) {
        return key.startsWith(prefix) && PropertyTable.named(key.substring(prefix.length())) != null
                && (!prefix.isEmpty() || !key.contains("."));
    }
}
