package io.starling.mqtt.tools;

/**
 * C's number parsing as mosquitto's clients use it on arguments: {@code atoi}/{@code atol} (leading
 * white space, an optional sign, then digits; anything else ends the number, and no digits is 0) and
 * {@code strtol(s, &end, 0)} for {@code -x}, which must take the whole argument (decimal, {@code 0x} hex
 * or leading-{@code 0} octal). Overflow saturates, as glibc's {@code strtol} does.
 */
final class CNumbers {
    private CNumbers() {
    }

    static int atoi(String text) {
        long value = atol(text);
        return (int) value; // glibc's atoi is (int) strtol
    }

    static long atol(String text) {
        return scan(text, false).value;
    }

    /** {@code strtol(text, &end, 0)} when it consumes all of {@code text}; null when it does not. */
    static Long strtolWhole(String text) {
        Scan r = scan(text, true);
        return r.digits && r.end == text.length() ? r.value : null;
    }

    /** What {@code strtol} read: the value (clamped on overflow), whether any digit came, where it stopped. */
    private record Scan(long value, boolean digits, int end) {
    }

    /** {@code strtol}: spaces, a sign, then digits in base 10, or in base 0's 16/8/10 when {@code anyBase}. */
    private static Scan scan(String text, boolean anyBase) {
        int i = 0;
        int n = text.length();
        while (i < n && isSpace(text.charAt(i))) {
            i++;
        }
        boolean negative = false;
        if (i < n && (text.charAt(i) == '-' || text.charAt(i) == '+')) {
            negative = text.charAt(i) == '-';
            i++;
        }
        int radix = 10;
        if (anyBase && i + 2 < n && text.charAt(i) == '0' && (text.charAt(i + 1) == 'x' || text.charAt(i + 1) == 'X')
                && Character.digit(text.charAt(i + 2), 16) >= 0) {
            radix = 16;
            i += 2;
        } else if (anyBase && i < n && text.charAt(i) == '0') {
            radix = 8;
        }
        int start = i;
        long value = 0;
        boolean overflow = false;
        for (; i < n && text.charAt(i) < 128 && Character.digit(text.charAt(i), radix) >= 0; i++) {
            int digit = Character.digit(text.charAt(i), radix);
            if (value > (Long.MAX_VALUE - digit) / radix) {
                overflow = true;
            } else {
                value = value * radix + digit;
            }
        }
        long result = overflow ? (negative ? Long.MIN_VALUE : Long.MAX_VALUE) : (negative ? -value : value);
        return new Scan(result, i > start, i);
    }

    /** C's {@code atof} for the simple decimal forms the clients are given ("0.5", "2", "1e3"); else 0. */
    static double atof(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("^\\s*[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?").matcher(text);
        return m.find() ? Double.parseDouble(m.group().trim()) : 0;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B;
    }
}
