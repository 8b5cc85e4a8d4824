package io.starling.broker.server.differential;

import io.starling.broker.server.differential.PropertyTable.Property;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * MQTT packets written as scenario text ({@code PUBLISH topic=a qos=1 id=7 payload=x}) turned into
 * bytes, and packets the brokers send turned back into the same text. Written from the
 * specification and deliberately separate from our codec: a harness sharing the codec would share its
 * bugs. Any value can be written, valid or not, so that scenarios can send what no client would.
 */
final class PacketText {
    private static final HexFormat HEX = HexFormat.of();
    private static final List<String> TYPES = List.of("", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC",
            "PUBREL", "PUBCOMP", "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP",
            "DISCONNECT", "AUTH");

    private PacketText() {
    }

    /** The bytes of one packet written as text, for a connection speaking {@code version} (3, 4 or 5). */
    static byte[] encode(String text, int version) {
        List<Token> tokens = Token.split(text);
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException("no packet written");
        }
        String typeWord = tokens.get(0).key().toUpperCase(Locale.ROOT);
        if (typeWord.equals("HEX")) {
            StringBuilder hex = new StringBuilder();
            tokens.subList(1, tokens.size()).forEach(t -> hex.append(t.key()));
            return HEX.parseHex(hex.toString());
        }
        int type = TYPES.indexOf(typeWord);
        if (type <= 0) {
            throw new IllegalArgumentException("unknown packet type '" + tokens.get(0).key() + "'");
        }
        Fields f = new Fields(tokens.subList(1, tokens.size()));
        if (type == 1) {
            version = (int) f.number("v", 5);
        }
        Out body = new Out();
        int flags = switch (type) {
            case 1 -> connect(f, version, body);
            case 2 -> {
                body.u8((int) f.number("sp", 0)).u8((int) f.number("rc", 0));
                yield properties(f, "", version, body, version == 5);
            }
            case 3 -> publish(f, version, body);
            case 4, 5, 6, 7 -> ack(f, version, body, type == 6 ? 2 : 0);
            case 8, 10 -> subscribe(f, version, body, type == 8);
            case 9, 11 -> subAck(f, version, body, type == 11);
            case 12, 13 -> 0;
            case 14, 15 -> reasonAndProperties(f, version, body);
            default -> throw new IllegalStateException();
        };
        flags = (int) f.number("flags", flags);
        f.requireAllUsed(typeWord);
        Out packet = new Out();
        packet.u8(type << 4 | flags & 0x0F).varint(body.size()).bytes(body.toByteArray());
        return packet.toByteArray();
    }

    private static int connect(Fields f, int version, Out body) {
        body.string(version == 3 ? "MQIsdp" : "MQTT").u8((int) f.number("level", version)); // level=0x84: a bridge
        boolean will = f.has("will.topic");
        int connectFlags = (f.number("clean", 1) != 0 ? 0x02 : 0)
                | (will ? 0x04 | (int) f.number("will.qos", 0) << 3 | (f.number("will.retain", 0) != 0 ? 0x20 : 0) : 0)
                | (f.has("pass") ? 0x40 : 0) | (f.has("user") ? 0x80 : 0);
        body.u8((int) f.number("connect_flags", connectFlags)).u16((int) f.number("keepalive", 60));
        properties(f, "", version, body, version == 5);
        body.string(f.text("id", ""));
        if (will) {
            properties(f, "will.", version, body, version == 5);
            body.string(f.text("will.topic", "")).binary(f.text("will.payload", ""));
        }
        if (f.has("user")) {
            body.string(f.text("user", ""));
        }
        if (f.has("pass")) {
            body.binary(f.text("pass", ""));
        }
        return 0;
    }

    private static int publish(Fields f, int version, Out body) {
        int qos = (int) f.number("qos", 0);
        body.string(f.text("topic", ""));
        if (qos > 0 || f.has("id")) {
            body.u16((int) f.number("id", 1));
        }
        properties(f, "", version, body, version == 5);
        body.bytes(bytesOf(f.text("payload", "")));
        return (f.number("dup", 0) != 0 ? 0x08 : 0) | qos << 1 | (f.number("retain", 0) != 0 ? 1 : 0);
    }

    /** PUBACK, PUBREC, PUBREL, PUBCOMP: the 2-byte form unless a reason code or properties are written. */
    private static int ack(Fields f, int version, Out body, int flags) {
        body.u16((int) f.number("id", 1));
        if (version == 5 && (f.has("rc") || f.hasProperties(""))) {
            body.u8((int) f.number("rc", 0));
            if (f.hasProperties("")) {
                properties(f, "", version, body, true);
            }
        }
        return flags;
    }

    private static int subscribe(Fields f, int version, Out body, boolean subscribe) {
        body.u16((int) f.number("id", 1));
        properties(f, "", version, body, version == 5);
        for (Fields.Entry e : f.entries("topic")) {
            body.string(e.value());
            if (subscribe) {
                int opts = (int) e.number("qos", 0) | (e.number("nl", 0) != 0 ? 0x04 : 0)
                        | (e.number("rap", 0) != 0 ? 0x08 : 0) | (int) e.number("rh", 0) << 4;
                body.u8((int) e.number("opts", opts));
            }
        }
        return 0x02;
    }

    private static int subAck(Fields f, int version, Out body, boolean unsubAck) {
        body.u16((int) f.number("id", 1));
        if (unsubAck && version != 5) {
            return 0;
        }
        properties(f, "", version, body, version == 5);
        for (Fields.Entry e : f.entries("rc")) {
            body.u8((int) Fields.parseNumber(e.value()));
        }
        return 0;
    }

    /** DISCONNECT and AUTH: empty, or a reason code, or a reason code and properties. */
    private static int reasonAndProperties(Fields f, int version, Out body) {
        if (f.has("rc") || f.hasProperties("")) {
            body.u8((int) f.number("rc", 0));
            if (f.hasProperties("")) {
                properties(f, "", version, body, true);
            }
        }
        return 0;
    }

    /** Writes the properties named with {@code prefix}, in the order written; nothing when {@code present} is false. */
    private static int properties(Fields f, String prefix, int version, Out body, boolean present) {
        if (!present) {
            return 0;
        }
        Out props = new Out();
        for (Fields.Entry e : f.properties(prefix)) {
            Property p = PropertyTable.named(e.key().substring(prefix.length()));
            props.varint(p.id());
            switch (p.type()) {
                case BYTE -> props.u8((int) Fields.parseNumber(e.value()));
                case TWO -> props.u16((int) Fields.parseNumber(e.value()));
                case FOUR -> props.u32(Fields.parseNumber(e.value()));
                case VARINT -> props.varint((int) Fields.parseNumber(e.value()));
                case UTF8 -> props.string(e.value());
                case BINARY -> props.binary(e.value());
                case PAIR -> {
                    int colon = e.value().indexOf(':');
                    if (colon < 0) {
                        throw new IllegalArgumentException("user_property needs key:value, got '" + e.value() + "'");
                    }
                    props.string(e.value().substring(0, colon)).string(e.value().substring(colon + 1));
                }
            }
        }
        body.varint(props.size()).bytes(props.toByteArray());
        return 0;
    }

    /** A value as bytes: {@code hex:0a0b} as written, anything else as UTF-8. */
    static byte[] bytesOf(String value) {
        return value.startsWith("hex:") ? HEX.parseHex(value.substring(4)) : value.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * One whole packet as text in the form {@link #encode} reads, so that a transcript line can be
     * pasted into a scenario as an expectation; {@code hex ...} when it cannot be read.
     */
    static String decode(byte[] packet, int version) {
        try {
            String text = new Reader(packet, version).packet();
            if (text != null && java.util.Arrays.equals(encode(text, version), packet)) {
                return text;
            }
        } catch (RuntimeException e) {
            // falls through to hex
        }
        return hex(packet);
    }

    static String hex(byte[] bytes) {
        StringBuilder s = new StringBuilder("hex");
        for (byte b : bytes) {
            s.append(' ').append(HEX.toHexDigits(b));
        }
        return s.toString();
    }

    /** Reads what brokers send; returns null for what they never send (the caller then writes hex). */
    private static final class Reader {
        private final ByteBuffer in;
        private final int version;
        private final StringBuilder out = new StringBuilder();

        Reader(byte[] packet, int version) {
            this.in = ByteBuffer.wrap(packet);
            this.version = version;
        }

        String packet() {
            int first = in.get() & 0xFF;
            int type = first >>> 4;
            int flags = first & 0x0F;
            varint();
            out.append(TYPES.get(type));
            switch (type) {
                case 2 -> {
                    field("sp", u8());
                    field("rc", u8());
                    if (version == 5) {
                        properties("");
                    }
                }
                case 3 -> {
                    int qos = flags >>> 1 & 3;
                    field("topic", string());
                    if (qos > 0) {
                        field("qos", qos);
                        field("id", u16());
                    }
                    if ((flags & 1) != 0) {
                        field("retain", 1);
                    }
                    if ((flags & 8) != 0) {
                        field("dup", 1);
                    }
                    if (version == 5) {
                        properties("");
                    }
                    byte[] payload = new byte[in.remaining()];
                    in.get(payload);
                    if (payload.length > 0) {
                        field("payload", text(payload));
                    }
                    flags = -1;
                }
                case 4, 5, 6, 7 -> {
                    field("id", u16());
                    if (in.hasRemaining()) {
                        field("rc", u8());
                    }
                    if (in.hasRemaining()) {
                        properties("");
                    }
                    flags = flags == (type == 6 ? 2 : 0) ? -1 : flags;
                }
                case 9, 11 -> {
                    field("id", u16());
                    if (version == 5) {
                        properties("");
                    }
                    while (in.hasRemaining()) {
                        field("rc", u8());
                    }
                }
                case 13 -> {
                }
                case 14, 15 -> {
                    if (in.hasRemaining()) {
                        field("rc", u8());
                    }
                    if (in.hasRemaining()) {
                        properties("");
                    }
                }
                default -> {
                    return null;
                }
            }
            if (flags > 0) {
                field("flags", flags);
            }
            return in.hasRemaining() ? null : out.toString();
        }

        private void properties(String prefix) {
            int end = varint() + in.position();
            while (in.position() < end) {
                Property p = PropertyTable.withId(varint());
                String name = prefix + p.name();
                switch (p.type()) {
                    case BYTE -> field(name, u8());
                    case TWO -> field(name, u16());
                    case FOUR -> field(name, in.getInt() & 0xFFFFFFFFL);
                    case VARINT -> field(name, varint());
                    case UTF8 -> field(name, string());
                    case BINARY -> field(name, text(binary()));
                    case PAIR -> {
                        String key = string();
                        String value = string();
                        field(name, key.startsWith("hex:") || value.startsWith("hex:") ? "hex:?"
                                : quote(unquote(key) + ":" + unquote(value)));
                    }
                }
            }
        }

        private void field(String key, Object value) {
            out.append(' ').append(key).append('=').append(value);
        }

        private int u8() {
            return in.get() & 0xFF;
        }

        private int u16() {
            return in.getShort() & 0xFFFF;
        }

        private int varint() {
            int value = 0;
            for (int shift = 0; ; shift += 7) {
                int b = u8();
                value |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
        }

        private byte[] binary() {
            byte[] b = new byte[u16()];
            in.get(b);
            return b;
        }

        /** A string as a scenario value: quoted when it has spaces, {@code hex:} when it is not printable text. */
        private String string() {
            return text(binary());
        }
    }

    /** Bytes as a scenario value: the text when it is printable UTF-8 without quotes, else {@code hex:...}. */
    private static String text(byte[] bytes) {
        try {
            String s = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
            boolean printable = s.chars().allMatch(c -> c >= 0x20 && c != '"' && c != 0x7F) && !s.startsWith("hex:");
            if (printable) {
                return quote(s);
            }
        } catch (CharacterCodingException e) {
            // not UTF-8
        }
        return "hex:" + HEX.formatHex(bytes);
    }

    private static String unquote(String s) {
        return s.startsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }

    private static String quote(String s) {
        return s.isEmpty() || s.contains(" ") ? "\"" + s + "\"" : s;
    }

    /** A growing packet body. */
    private static final class Out extends ByteArrayOutputStream {
        Out u8(int b) {
            write(b);
            return this;
        }

        Out u16(int v) {
            return u8(v >>> 8 & 0xFF).u8(v & 0xFF);
        }

        Out u32(long v) {
            return u16((int) (v >>> 16) & 0xFFFF).u16((int) v & 0xFFFF);
        }

        Out varint(int v) {
            do {
                int digit = v & 0x7F;
                v >>>= 7;
                u8(v > 0 ? digit | 0x80 : digit);
            } while (v > 0);
            return this;
        }

        Out bytes(byte[] b) {
            writeBytes(b);
            return this;
        }

        /** A length-prefixed string ({@code hex:} for raw bytes, valid UTF-8 or not). */
        Out string(String value) {
            return binary(value);
        }

        Out binary(String value) {
            byte[] b = bytesOf(value);
            return u16(b.length).bytes(b);
        }
    }

    /** One word of a packet line: {@code key=value}, or a bare word (value null). */
    record Token(String key, String value) {
        static List<Token> split(String line) {
            List<Token> out = new ArrayList<>();
            int i = 0;
            int n = line.length();
            while (i < n) {
                while (i < n && Character.isWhitespace(line.charAt(i))) {
                    i++;
                }
                if (i >= n) {
                    break;
                }
                StringBuilder word = new StringBuilder();
                boolean quoted = false;
                boolean verbatim = false; // 'single quotes': spaces and double quotes kept (JSON payloads)
                boolean sawQuote = false;
                while (i < n && (quoted || verbatim || !Character.isWhitespace(line.charAt(i)))) {
                    char c = line.charAt(i++);
                    if (c == '\'' && !quoted) {
                        verbatim = !verbatim;
                        sawQuote = true;
                    } else if (c == '"' && !verbatim) {
                        quoted = !quoted;
                        sawQuote = true;
                    } else {
                        word.append(c);
                    }
                }
                if (quoted || verbatim) {
                    throw new IllegalArgumentException("unclosed quote in: " + line);
                }
                String w = word.toString();
                int eq = sawQuote || w.indexOf('=') > 0 ? w.indexOf('=') : -1;
                out.add(eq > 0 ? new Token(w.substring(0, eq), w.substring(eq + 1)) : new Token(w, null));
            }
            return out;
        }
    }
}
