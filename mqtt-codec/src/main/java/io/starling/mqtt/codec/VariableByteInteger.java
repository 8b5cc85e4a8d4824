package io.starling.mqtt.codec;

import io.netty.buffer.ByteBuf;

/**
 * The Variable Byte Integer of 5.0 §1.5.5 (the Remaining Length of 3.1.1 §2.2.3): seven bits per byte,
 * least significant group first, the high bit set on every byte but the last, at most four bytes,
 * and no more bytes than the value needs [MQTT-1.5.5-1] (so a last byte of 0 after others is refused).
 * Reading lives in {@link WireReader} and in the fixed-header parse of {@link MqttDecoder}.
 */
final class VariableByteInteger {
    /** The largest value four bytes can carry. */
    static final int MAX = 268_435_455;

    private VariableByteInteger() {
    }

    /** The number of bytes {@code value} takes on the wire. */
    static int size(int value) {
        if (value < 0 || value > MAX) {
            throw new IllegalArgumentException("variable byte integer out of range: " + value);
        }
        if (value < 0x80) {
            return 1;
        }
        if (value < 0x4000) {
            return 2;
        }
        return value < 0x20_0000 ? 3 : 4;
    }

    static void write(ByteBuf out, int value) {
        do {
            int digit = value & 0x7F;
            value >>>= 7;
            out.writeByte(value > 0 ? digit | 0x80 : digit);
        } while (value > 0);
    }
}
