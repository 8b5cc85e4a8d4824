package io.starling.broker.auth.dynsec;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * Reads JSON as the plugin's cJSON does, so that every request gets the answer mosquitto gives it: object
 * keys match case-insensitively (the first match wins), a number where an integer is wanted is truncated,
 * a boolean is only {@code true} or {@code false}, anything after the first JSON value is ignored.
 */
final class Json {
    private Json() {
    }

    /** The member named {@code key} in any case, or null. */
    static JsonNode get(JsonNode object, String key) {
        if (object == null || !object.isObject()) {
            return null;
        }
        JsonNode exact = object.get(key);
        if (exact != null) {
            return exact;
        }
        Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            if (f.getKey().equalsIgnoreCase(key)) {
                return f.getValue();
            }
        }
        return null;
    }

    /** The string member, or null when missing or not a string. */
    static String string(JsonNode object, String key) {
        JsonNode n = get(object, key);
        return n != null && n.isTextual() ? n.textValue() : null;
    }

    /** An integer member, truncated as cJSON's valueint; {@code otherwise} when missing or not a number. */
    static int integer(JsonNode object, String key, int otherwise) {
        JsonNode n = get(object, key);
        if (n == null || !n.isNumber()) {
            return otherwise;
        }
        double d = n.doubleValue();
        if (d >= Integer.MAX_VALUE) {
            return Integer.MAX_VALUE;
        }
        if (d <= Integer.MIN_VALUE) {
            return Integer.MIN_VALUE;
        }
        return (int) d;
    }

    /** A boolean member; {@code otherwise} when missing or not a boolean. */
    static boolean bool(JsonNode object, String key, boolean otherwise) {
        JsonNode n = get(object, key);
        return n != null && n.isBoolean() ? n.booleanValue() : otherwise;
    }

    /**
     * The payload as text: bytes that are not UTF-8 become U+FFFE, a code point {@link #validUtf8} refuses,
     * so that a name holding them is "not valid UTF-8" as in the plugin while the JSON still parses.
     */
    static String decode(byte[] payload) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .replaceWith(String.valueOf(INVALID))
                    .decode(java.nio.ByteBuffer.wrap(payload)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("a replacing decoder does not throw", e);
        }
    }

    private static final char INVALID = '\uFFFE';

    /** Whether {@code text} is valid MQTT UTF-8 (mosquitto_validate_utf8: no control characters, no non-characters). */
    static boolean validUtf8(String text) {
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            if (cp <= 0x1F || cp >= 0x7F && cp <= 0x9F || (cp & 0xFFFF) >= 0xFFFE
                    || Character.isSurrogate(text.charAt(i)) && Character.charCount(cp) == 1) {
                return false;
            }
            i += Character.charCount(cp);
        }
        return true;
    }
}
