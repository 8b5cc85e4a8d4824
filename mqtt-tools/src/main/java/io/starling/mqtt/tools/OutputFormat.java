package io.starling.mqtt.tools;

import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.Property;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.Publish;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.util.List;

/**
 * mosquitto_sub 2.0's {@code -F} output format: {@code %} tokens for the message (with the flags
 * {@code -} and {@code 0}, a field width and a precision), {@code @} tokens passed to strftime (and
 * {@code @N}, the nanoseconds), and {@code \} escapes. See mosquitto_sub(1), OUTPUT FORMAT.
 *
 * <p>Rendering follows mosquitto's code byte for byte, its quirks included, since scripts parse the
 * output: a width on {@code %p} also truncates the payload to the width, a width on {@code %x}/{@code %X}
 * counts bytes, not digits, an absent {@code %R} prints nothing even with a width, an absent {@code %E},
 * {@code %F}, {@code %A} or {@code %S} prints the pad character width times, {@code %E} prints as a
 * signed 32-bit number, and {@code %-p} without a width pads with as many blanks as the payload is long.
 */
final class OutputFormat {
    private OutputFormat() {
    }

    /** A format mosquitto refuses, with its message. */
    static final class Invalid extends Exception {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    private static final String PARAMETERS = "%ACDEFIlmPpqRSrtjJUxX";

    /** mosquitto's check of a format before connecting. */
    static void check(String format) throws Invalid {
        int len = format.length();
        for (int i = 0; i < len; i++) {
            char c = format.charAt(i);
            if (c == '%') {
                if (i == len - 1) {
                    throw incomplete();
                }
                if (format.charAt(i + 1) == '0' || format.charAt(i + 1) == '-') {
                    i++;
                    if (i == len - 1) {
                        throw incomplete();
                    }
                }
                while (isDigit(format, i + 1)) {
                    i++;
                    if (i == len - 1) {
                        throw incomplete();
                    }
                }
                if (format.charAt(i + 1) == '.') {
                    i++;
                    if (i == len - 1) {
                        throw incomplete();
                    }
                    while (isDigit(format, i + 1)) {
                        i++;
                        if (i == len - 1) {
                            throw incomplete();
                        }
                    }
                }
                char parameter = format.charAt(i + 1);
                if (PARAMETERS.indexOf(parameter) < 0) {
                    throw new Invalid("Error: Invalid format specifier '" + parameter + "'.\n");
                }
                i++;
            } else if (c == '@') {
                if (i == len - 1) {
                    throw incomplete();
                }
                i++;
            } else if (c == '\\') {
                if (i == len - 1) {
                    throw new Invalid("Error: Incomplete escape specifier.\n");
                }
                char e = format.charAt(i + 1);
                if ("\\0aenrtv".indexOf(e) < 0) {
                    throw new Invalid("Error: Invalid escape specifier '" + e + "'.\n");
                }
                i++;
            }
        }
    }

    private static Invalid incomplete() {
        return new Invalid("Error: Incomplete format specifier.\n");
    }

    private static boolean isDigit(String s, int i) {
        return i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9';
    }

    /**
     * Writes one message in {@code format}, then a newline when {@code eol}. A {@code %J} whose payload
     * is not JSON prints nothing and reports on {@code err}, as mosquitto does; the rest is still printed.
     */
    static void write(ByteArrayOutputStream out, String format, Publish message, byte[] payload,
                      ZonedDateTime now, boolean pretty, boolean eol, PrintStream err) {
        int len = format.length();
        for (int i = 0; i < len; i++) {
            char c = format.charAt(i);
            if (c == '%') {
                char align = 0;
                char pad = ' ';
                int width = 0;
                int precision = -1;
                if (i < len - 1) {
                    i++;
                    if (format.charAt(i) == '-') {
                        align = '-';
                        if (i < len - 1) {
                            i++;
                        }
                    }
                    if (format.charAt(i) == '0') {
                        pad = '0';
                        if (i < len - 1) {
                            i++;
                        }
                    }
                    while (i < len - 1 && isDigit(format, i)) {
                        width = width * 10 + format.charAt(i) - '0';
                        i++;
                    }
                    if (format.charAt(i) == '.' && i < len - 1) {
                        i++;
                        precision = 0;
                        while (i < len - 1 && isDigit(format, i)) {
                            precision = precision * 10 + format.charAt(i) - '0';
                            i++;
                        }
                    }
                    if (i < len) {
                        parameter(out, format.charAt(i), align, pad, width, precision, message, payload, now, pretty,
                                err);
                    }
                }
            } else if (c == '@') {
                if (i < len - 1) {
                    i++;
                    char t = format.charAt(i);
                    if (t == '@') {
                        out.write('@');
                    } else if (t == 'N') {
                        text(out, String.format("%09d", now.getNano()));
                    } else {
                        text(out, Strftime.format(t, now));
                    }
                }
            } else if (c == '\\') {
                if (i < len - 1) {
                    i++;
                    int escaped = escape(format.charAt(i));
                    if (escaped >= 0) {
                        out.write(escaped);
                    }
                }
            } else {
                text(out, String.valueOf(c));
            }
        }
        if (eol) {
            out.write('\n');
        }
    }

    private static int escape(char c) {
        switch (c) {
            case '\\': return '\\';
            case '0': return 0;
            case 'a': return 7;
            case 'e': return 27;
            case 'n': return '\n';
            case 'r': return '\r';
            case 't': return '\t';
            case 'v': return 11;
            default: return -1;
        }
    }

    private static void parameter(ByteArrayOutputStream out, char p, char align, char pad, int width, int precision,
                                  Publish m, byte[] payload, ZonedDateTime now, boolean pretty, PrintStream err) {
        Properties props = m.properties();
        switch (p) {
            case '%':
                out.write('%');
                break;
            case 'A':
                numberOrBlank(out, props, PropertyId.TOPIC_ALIAS, align, pad, width);
                break;
            case 'C': {
                String value = props.text(PropertyId.CONTENT_TYPE);
                if (value != null) {
                    string(out, utf8(value), align, width, precision);
                } else {
                    blank(out, ' ', width);
                }
                break;
            }
            case 'D': {
                byte[] value = props.binary(PropertyId.CORRELATION_DATA);
                if (value != null) {
                    out.write(value, 0, value.length);
                }
                break;
            }
            case 'E':
                numberOrBlank(out, props, PropertyId.MESSAGE_EXPIRY_INTERVAL, align, pad, width);
                break;
            case 'F':
                numberOrBlank(out, props, PropertyId.PAYLOAD_FORMAT_INDICATOR, align, pad, width);
                break;
            case 'I':
                string(out, utf8(Strftime.format('F', now) + "T" + Strftime.format('T', now) + Strftime.offset(now)),
                        align, width, precision);
                break;
            case 'j':
                MessageJson.write(out, m, payload, now, true, pretty);
                break;
            case 'J':
                if (!MessageJson.write(out, m, payload, now, false, pretty)) {
                    err.print("Error: Message payload is not valid JSON on topic " + m.topic() + ".\n");
                    err.flush();
                }
                break;
            case 'l':
                integer(out, payload.length, align, pad, width);
                break;
            case 'm':
                integer(out, m.packetId(), align, pad, width);
                break;
            case 'P': {
                List<Property.UserProperty> users = props.userProperties();
                for (int i = 0; i < users.size(); i++) {
                    if (i > 0) {
                        out.write(' ');
                    }
                    text(out, users.get(i).name() + ":" + users.get(i).value());
                }
                break;
            }
            case 'p':
                payload(out, payload, 0, align, pad, width);
                break;
            case 'q':
                out.write('0' + m.qos().value());
                break;
            case 'R': {
                String value = props.text(PropertyId.RESPONSE_TOPIC);
                if (value != null) {
                    string(out, utf8(value), align, width, precision);
                }
                break;
            }
            case 'r':
                out.write(m.retain() ? '1' : '0');
                break;
            case 'S':
                numberOrBlank(out, props, PropertyId.SUBSCRIPTION_IDENTIFIER, align, pad, width);
                break;
            case 't':
                string(out, utf8(m.topic()), align, width, precision);
                break;
            case 'U':
                text(out, now.toEpochSecond() + "." + String.format("%09d", now.getNano()));
                break;
            case 'x':
                payload(out, payload, 1, align, pad, width);
                break;
            case 'X':
                payload(out, payload, 2, align, pad, width);
                break;
            default:
                break;
        }
    }

    private static void numberOrBlank(ByteArrayOutputStream out, Properties props, PropertyId id, char align, char pad,
                                      int width) {
        long value = props.number(id, -1);
        if (value >= 0) {
            integer(out, (int) value, align, pad, width);
        } else {
            blank(out, pad, width);
        }
    }

    /** printf's %d, %-*d, %0*d or %*d. */
    static void integer(ByteArrayOutputStream out, int value, char align, char pad, int width) {
        String digits = Integer.toString(value);
        if (width == 0 || digits.length() >= width) {
            text(out, digits);
        } else if (align == '-') {
            text(out, digits + " ".repeat(width - digits.length()));
        } else if (pad == '0') {
            String sign = value < 0 ? "-" : "";
            String abs = value < 0 ? digits.substring(1) : digits;
            text(out, sign + "0".repeat(width - digits.length()) + abs);
        } else {
            text(out, " ".repeat(width - digits.length()) + digits);
        }
    }

    /** printf's %s with an optional width and precision, on bytes. */
    static void string(ByteArrayOutputStream out, byte[] value, char align, int width, int precision) {
        int length = precision >= 0 ? Math.min(precision, value.length) : value.length;
        int padding = Math.max(0, width - length);
        if (align != '-') {
            blank(out, ' ', padding);
        }
        out.write(value, 0, length);
        if (align == '-') {
            blank(out, ' ', padding);
        }
    }

    /** mosquitto's write_payload(): raw (0), lower hex (1) or upper hex (2). */
    static void payload(ByteArrayOutputStream out, byte[] payload, int hex, char align, char pad, int width) {
        int length = payload.length;
        int padding;
        if (width > 0) {
            if (length > width) {
                length = width;
            }
            if (hex > 0) {
                length /= 2;
                padding = width - length * 2;
            } else {
                padding = width - length;
            }
        } else {
            padding = width - length;
        }
        if (align != '-') {
            blank(out, pad, padding);
        }
        if (hex == 0) {
            out.write(payload, 0, length);
        } else {
            String digits = hex == 1 ? "0123456789abcdef" : "0123456789ABCDEF";
            for (int i = 0; i < length; i++) {
                out.write(digits.charAt((payload[i] >> 4) & 0xF));
                out.write(digits.charAt(payload[i] & 0xF));
            }
        }
        if (align == '-') {
            blank(out, ' ', Math.abs(padding)); // printf("%*s", padlen, ""): a negative width pads too
        }
    }

    private static void blank(ByteArrayOutputStream out, char pad, int count) {
        for (int i = 0; i < count; i++) {
            out.write(pad);
        }
    }

    static void text(ByteArrayOutputStream out, String s) {
        byte[] bytes = utf8(s);
        out.write(bytes, 0, bytes.length);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
