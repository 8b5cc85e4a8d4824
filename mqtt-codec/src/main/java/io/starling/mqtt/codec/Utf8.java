package io.starling.mqtt.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.ByteProcessor;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * MQTT UTF-8 strings (3.1.1 §1.5.3, 5.0 §1.5.4): well-formed UTF-8, no encoded surrogates
 * (U+D800..U+DFFF), no U+0000, at most 65,535 bytes.
 *
 * <p>Topics are nearly always ASCII, so decoding first scans for a byte outside 0x01..0x7F and, when
 * there is none, builds the string directly. Anything else goes through a strict {@link CharsetDecoder}
 * (REPORT on malformed input; the JDK's UTF-8 decoder also refuses encoded surrogates and overlong
 * forms), cached per thread because decoders are not thread-safe.
 */
final class Utf8 {
    static final int MAX_BYTES = 0xFFFF;

    /** Stops at the first byte that is not 0x01..0x7F (negative bytes are 0x80..0xFF). */
    private static final ByteProcessor PLAIN_ASCII = b -> b > 0;

    private static final ThreadLocal<CharsetDecoder> STRICT = ThreadLocal.withInitial(
            () -> StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT));

    private Utf8() {
    }

    /** Decodes {@code length} bytes at {@code index}; throws a 0x81 {@link MalformedPacketException}. */
    static String decode(ByteBuf buf, int index, int length) {
        if (length == 0) {
            return "";
        }
        if (buf.forEachByte(index, length, PLAIN_ASCII) == -1) {
            return buf.toString(index, length, StandardCharsets.US_ASCII);
        }
        String s;
        try {
            ByteBuffer bytes = buf.nioBuffer(index, length);
            s = STRICT.get().reset().decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw MalformedPacketException.malformed("ill-formed UTF-8 string");
        }
        if (s.indexOf('\u0000') >= 0) {
            throw MalformedPacketException.malformed("string contains U+0000");
        }
        return s;
    }

    /**
     * The encoded length of {@code s}, validated as an MQTT string.
     *
     * @throws IllegalArgumentException on U+0000, an unpaired surrogate or more than 65,535 bytes
     */
    static int encodedLength(String s) {
        int n = s.length();
        int bytes = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                if (c == 0) {
                    throw new IllegalArgumentException("MQTT strings must not contain U+0000");
                }
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("unpaired surrogate at index " + i);
            } else {
                bytes += 3;
            }
        }
        if (bytes > MAX_BYTES) {
            throw new IllegalArgumentException("string longer than 65535 bytes: " + bytes);
        }
        return bytes;
    }

    /** Writes the two-byte length and the bytes; {@code encodedLength} must have accepted {@code s}. */
    static void write(ByteBuf out, String s, int encodedLength) {
        out.writeShort(encodedLength);
        ByteBufUtil.reserveAndWriteUtf8(out, s, encodedLength);
    }

    static void write(ByteBuf out, String s) {
        write(out, s, encodedLength(s));
    }
}
