package io.starling.mqtt.tools;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * JSON as the cJSON library (1.7.15, which Debian's mosquitto_sub 2.0.11 uses) reads and prints it, for
 * the {@code %j} and {@code %J} output formats. Strings are bytes, not characters: cJSON escapes only
 * '"', '\' and control bytes and copies every other byte, valid UTF-8 or not. Numbers are doubles,
 * printed with {@code %1.15g} (or {@code %1.17g} when 15 digits do not read back the same), so
 * {@code 1.50} prints as {@code 1.5} and {@code -0.0} as {@code -0}. Duplicate keys are kept, in order.
 *
 * <p>Values are {@link Double}, {@link Boolean}, {@link #NULL}, {@code byte[]} strings, {@code List}
 * arrays and {@link JsonObject}s.
 */
final class CJson {
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    /** An object: keys and values in insertion order, duplicates allowed. */
    static final class JsonObject {
        final List<byte[]> keys = new ArrayList<>();
        final List<Object> values = new ArrayList<>();

        JsonObject put(String key, Object value) {
            return put(key.getBytes(StandardCharsets.UTF_8), value);
        }

        JsonObject put(byte[] key, Object value) {
            keys.add(key);
            values.add(value);
            return this;
        }
    }

    private static final Pattern NUMBER = Pattern.compile("^[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final int NESTING_LIMIT = 1000;

    private CJson() {
    }

    // ---- printing ----

    static void print(ByteArrayOutputStream out, Object value, boolean formatted) {
        print(out, value, formatted, 0);
    }

    private static void print(ByteArrayOutputStream out, Object value, boolean fmt, int depth) {
        if (value == NULL) {
            ascii(out, "null");
        } else if (value instanceof Boolean b) {
            ascii(out, b ? "true" : "false");
        } else if (value instanceof Double d) {
            ascii(out, number(d));
        } else if (value instanceof byte[] s) {
            string(out, s);
        } else if (value instanceof List<?> list) {
            out.write('[');
            for (int i = 0; i < list.size(); i++) {
                print(out, list.get(i), fmt, depth + 1);
                if (i < list.size() - 1) {
                    out.write(',');
                    if (fmt) {
                        out.write(' ');
                    }
                }
            }
            out.write(']');
        } else {
            JsonObject object = (JsonObject) value;
            int inner = depth + 1;
            out.write('{');
            if (fmt) {
                out.write('\n');
            }
            for (int i = 0; i < object.keys.size(); i++) {
                if (fmt) {
                    tabs(out, inner);
                }
                string(out, object.keys.get(i));
                out.write(':');
                if (fmt) {
                    out.write('\t');
                }
                print(out, object.values.get(i), fmt, inner);
                if (i < object.keys.size() - 1) {
                    out.write(',');
                }
                if (fmt) {
                    out.write('\n');
                }
            }
            if (fmt) {
                tabs(out, inner - 1);
            }
            out.write('}');
        }
    }

    /** A string with cJSON's escapes: \" \\ \b \f \n \r \t, and other bytes below 0x20 as \\u00XX. */
    static void string(ByteArrayOutputStream out, byte[] s) {
        out.write('"');
        for (byte b : s) {
            int c = b & 0xFF;
            if (c >= 32 && c != '"' && c != '\\') {
                out.write(c);
                continue;
            }
            out.write('\\');
            switch (c) {
                case '"': out.write('"'); break;
                case '\\': out.write('\\'); break;
                case '\b': out.write('b'); break;
                case '\f': out.write('f'); break;
                case '\n': out.write('n'); break;
                case '\r': out.write('r'); break;
                case '\t': out.write('t'); break;
                default: ascii(out, String.format("u%04x", c)); break;
            }
        }
        out.write('"');
    }

    /** cJSON's number: "null" for NaN and infinities, else %1.15g, or %1.17g when that does not read back. */
    static String number(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return "null";
        }
        String fifteen = cG(d, 15);
        return Double.parseDouble(fifteen) == d ? fifteen : cG(d, 17);
    }

    /** C's {@code %.Pg}: P significant digits, trailing zeros removed, exponent form below 1e-4 or from 1eP. */
    static String cG(double d, int precision) {
        if (d == 0) {
            return 1 / d < 0 ? "-0" : "0";
        }
        BigDecimal rounded = new BigDecimal(d).round(new MathContext(precision, RoundingMode.HALF_EVEN));
        int exponent = rounded.precision() - rounded.scale() - 1;
        if (exponent < -4 || exponent >= precision) {
            String digits = rounded.unscaledValue().abs().toString().replaceFirst("0+$", "");
            StringBuilder s = new StringBuilder();
            if (d < 0) {
                s.append('-');
            }
            s.append(digits.charAt(0));
            if (digits.length() > 1) {
                s.append('.').append(digits, 1, digits.length());
            }
            s.append('e').append(exponent < 0 ? '-' : '+');
            int abs = Math.abs(exponent);
            if (abs < 10) {
                s.append('0');
            }
            return s.append(abs).toString();
        }
        BigDecimal fixed = rounded.setScale(Math.max(0, precision - 1 - exponent), RoundingMode.HALF_EVEN);
        String text = fixed.toPlainString();
        if (text.indexOf('.') >= 0) {
            text = text.replaceFirst("0+$", "").replaceFirst("\\.$", "");
        }
        return text;
    }

    private static void tabs(ByteArrayOutputStream out, int n) {
        for (int i = 0; i < n; i++) {
            out.write('\t');
        }
    }

    private static void ascii(ByteArrayOutputStream out, String s) {
        for (int i = 0; i < s.length(); i++) {
            out.write(s.charAt(i));
        }
    }

    // ---- parsing ----

    /** Parses the whole of {@code bytes} as one JSON value (white space around it allowed), or returns null. */
    static Object parse(byte[] bytes) {
        Parser p = new Parser(bytes);
        int start = bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB
                && (bytes[2] & 0xFF) == 0xBF ? 3 : 0; // cJSON skips a UTF-8 byte order mark
        p.pos = start;
        try {
            p.skipWhitespace();
            Object value = p.value(0);
            p.skipWhitespace();
            return p.pos == bytes.length ? value : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static final class Parser {
        private final byte[] in;
        private int pos;

        Parser(byte[] in) {
            this.in = in;
        }

        void skipWhitespace() {
            while (pos < in.length && (in[pos] & 0xFF) <= 32 && in[pos] != 0) {
                pos++;
            }
        }

        private IllegalArgumentException bad() {
            return new IllegalArgumentException("invalid JSON at " + pos);
        }

        Object value(int depth) {
            if (pos >= in.length) {
                throw bad();
            }
            if (startsWith("null")) {
                pos += 4;
                return NULL;
            }
            if (startsWith("false")) {
                pos += 5;
                return Boolean.FALSE;
            }
            if (startsWith("true")) {
                pos += 4;
                return Boolean.TRUE;
            }
            byte c = in[pos];
            if (c == '"') {
                return string();
            }
            if (c == '-' || c >= '0' && c <= '9') {
                return number();
            }
            if (c == '[') {
                return array(depth + 1);
            }
            if (c == '{') {
                return object(depth + 1);
            }
            throw bad();
        }

        private boolean startsWith(String word) {
            if (pos + word.length() > in.length) {
                return false;
            }
            for (int i = 0; i < word.length(); i++) {
                if (in[pos + i] != word.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        private Double number() {
            StringBuilder chars = new StringBuilder();
            for (int i = pos; i < in.length && chars.length() < 63; i++) {
                byte c = in[i];
                if (c >= '0' && c <= '9' || c == '+' || c == '-' || c == 'e' || c == 'E' || c == '.') {
                    chars.append((char) c);
                } else {
                    break;
                }
            }
            Matcher m = NUMBER.matcher(chars);
            if (!m.find()) {
                throw bad();
            }
            pos += m.end();
            return Double.parseDouble(m.group());
        }

        private byte[] string() {
            pos++; // opening quote
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (true) {
                if (pos >= in.length) {
                    throw bad();
                }
                byte c = in[pos++];
                if (c == '"') {
                    return out.toByteArray();
                }
                if (c != '\\') {
                    out.write(c);
                    continue;
                }
                if (pos >= in.length) {
                    throw bad();
                }
                byte e = in[pos++];
                switch (e) {
                    case 'b': out.write('\b'); break;
                    case 'f': out.write('\f'); break;
                    case 'n': out.write('\n'); break;
                    case 'r': out.write('\r'); break;
                    case 't': out.write('\t'); break;
                    case '"':
                    case '\\':
                    case '/': out.write(e); break;
                    case 'u': unicode(out); break;
                    default: throw bad();
                }
            }
        }

        /** A \\u escape (after the u), with a following low surrogate when it is a high one. */
        private void unicode(ByteArrayOutputStream out) {
            int first = hex4();
            int codePoint = first;
            if (first >= 0xDC00 && first <= 0xDFFF) {
                throw bad();
            }
            if (first >= 0xD800 && first <= 0xDBFF) {
                if (pos + 1 >= in.length || in[pos] != '\\' || in[pos + 1] != 'u') {
                    throw bad();
                }
                pos += 2;
                int second = hex4();
                if (second < 0xDC00 || second > 0xDFFF) {
                    throw bad();
                }
                codePoint = 0x10000 + ((first & 0x3FF) << 10 | (second & 0x3FF));
            }
            byte[] utf8 = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
            if (codePoint == 0) {
                utf8 = new byte[0]; // cJSON's C string ends there
            }
            out.write(utf8, 0, utf8.length);
        }

        private int hex4() {
            if (pos + 4 > in.length) {
                throw bad();
            }
            int value = 0;
            for (int i = 0; i < 4; i++) {
                int d = Character.digit(in[pos + i], 16);
                if (d < 0) {
                    throw bad();
                }
                value = value << 4 | d;
            }
            pos += 4;
            return value;
        }

        private List<Object> array(int depth) {
            if (depth > NESTING_LIMIT) {
                throw bad();
            }
            pos++;
            List<Object> list = new ArrayList<>();
            skipWhitespace();
            if (pos < in.length && in[pos] == ']') {
                pos++;
                return list;
            }
            while (true) {
                skipWhitespace();
                list.add(value(depth));
                skipWhitespace();
                if (pos >= in.length) {
                    throw bad();
                }
                if (in[pos] == ',') {
                    pos++;
                } else if (in[pos] == ']') {
                    pos++;
                    return list;
                } else {
                    throw bad();
                }
            }
        }

        private JsonObject object(int depth) {
            if (depth > NESTING_LIMIT) {
                throw bad();
            }
            pos++;
            JsonObject object = new JsonObject();
            skipWhitespace();
            if (pos < in.length && in[pos] == '}') {
                pos++;
                return object;
            }
            while (true) {
                skipWhitespace();
                if (pos >= in.length || in[pos] != '"') {
                    throw bad();
                }
                byte[] key = string();
                skipWhitespace();
                if (pos >= in.length || in[pos] != ':') {
                    throw bad();
                }
                pos++;
                skipWhitespace();
                object.put(key, value(depth));
                skipWhitespace();
                if (pos >= in.length) {
                    throw bad();
                }
                if (in[pos] == ',') {
                    pos++;
                } else if (in[pos] == '}') {
                    pos++;
                    return object;
                } else {
                    throw bad();
                }
            }
        }
    }
}
