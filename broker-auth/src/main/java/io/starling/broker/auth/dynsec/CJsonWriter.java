package io.starling.broker.auth.dynsec;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * Writes JSON byte for byte as mosquitto's cJSON does: unformatted for the API's answers
 * ({@code cJSON_PrintUnformatted}) and tab-indented for the file ({@code cJSON_Print}), so that a file
 * written here diffs cleanly against one mosquitto wrote.
 */
final class CJsonWriter {
    private final StringBuilder out = new StringBuilder();
    private final boolean formatted;
    private int depth;

    private CJsonWriter(boolean formatted) {
        this.formatted = formatted;
    }

    static String compact(JsonNode node) {
        CJsonWriter w = new CJsonWriter(false);
        w.value(node);
        return w.out.toString();
    }

    static String formatted(JsonNode node) {
        CJsonWriter w = new CJsonWriter(true);
        w.value(node);
        return w.out.toString();
    }

    private void value(JsonNode node) {
        if (node.isObject()) {
            object(node);
        } else if (node.isArray()) {
            array(node);
        } else if (node.isTextual()) {
            string(node.textValue());
        } else if (node.isBoolean()) {
            out.append(node.booleanValue());
        } else if (node.isIntegralNumber()) {
            out.append(node.longValue());
        } else if (node.isNumber()) {
            out.append(node.doubleValue());
        } else {
            out.append("null");
        }
    }

    private void object(JsonNode node) {
        out.append('{');
        depth++;
        if (formatted) {
            out.append('\n');
        }
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            if (formatted) {
                out.append("\t".repeat(depth));
            }
            string(f.getKey());
            out.append(':');
            if (formatted) {
                out.append('\t');
            }
            value(f.getValue());
            if (fields.hasNext()) {
                out.append(',');
            }
            if (formatted) {
                out.append('\n');
            }
        }
        if (formatted) {
            out.append("\t".repeat(depth - 1));
        }
        out.append('}');
        depth--;
    }

    private void array(JsonNode node) {
        out.append('[');
        depth++;
        for (int i = 0; i < node.size(); i++) {
            if (i > 0) {
                out.append(formatted ? ", " : ",");
            }
            value(node.get(i));
        }
        out.append(']');
        depth--;
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
