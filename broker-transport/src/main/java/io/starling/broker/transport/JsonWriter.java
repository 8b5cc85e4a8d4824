package io.starling.broker.transport;

/**
 * Just enough JSON for the HTTP API's answers: objects, arrays, strings, numbers and booleans,
 * written in order with commas managed here. Not a parser; the broker reads no JSON.
 */
final class JsonWriter {
    private final StringBuilder out = new StringBuilder();
    /** Whether the next value in the current object or array needs a comma before it. */
    private boolean comma;

    JsonWriter beginObject() {
        separate();
        out.append('{');
        comma = false;
        return this;
    }

    JsonWriter endObject() {
        out.append('}');
        comma = true;
        return this;
    }

    JsonWriter beginArray() {
        separate();
        out.append('[');
        comma = false;
        return this;
    }

    JsonWriter endArray() {
        out.append(']');
        comma = true;
        return this;
    }

    /** A member name; the value follows with one of the value methods. */
    JsonWriter name(String name) {
        separate();
        string(name);
        out.append(':');
        comma = false;
        return this;
    }

    JsonWriter value(String value) {
        separate();
        if (value == null) {
            out.append("null");
        } else {
            string(value);
        }
        comma = true;
        return this;
    }

    JsonWriter value(long value) {
        separate();
        out.append(value);
        comma = true;
        return this;
    }

    JsonWriter value(boolean value) {
        separate();
        out.append(value);
        comma = true;
        return this;
    }

    /** A tree of maps (string keys, in their order), lists, strings, numbers, booleans and nulls. */
    JsonWriter tree(Object value) {
        if (value instanceof java.util.Map<?, ?> map) {
            beginObject();
            map.forEach((k, v) -> name(String.valueOf(k)).tree(v));
            return endObject();
        }
        if (value instanceof java.util.List<?> list) {
            beginArray();
            list.forEach(this::tree);
            return endArray();
        }
        if (value instanceof Boolean b) {
            return value(b.booleanValue());
        }
        if (value instanceof Integer || value instanceof Long) {
            return value(((Number) value).longValue());
        }
        return value(value == null ? null : value.toString());
    }

    private void separate() {
        if (comma) {
            out.append(',');
            comma = false;
        }
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
