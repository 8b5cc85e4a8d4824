package io.starling.mqtt.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;

/** Test buffers: pooled (so the leak detector tracks them) and written as hex. */
final class Bytes {
    private Bytes() {
    }

    static ByteBuf pooled(byte[] bytes) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer(bytes.length);
        buf.writeBytes(bytes);
        return buf;
    }

    /** A pooled buffer holding the bytes written as hex; spaces are ignored. */
    static ByteBuf hex(String hex) {
        return pooled(ByteBufUtil.decodeHexDump(hex.replace(" ", "")));
    }

    static byte[] array(ByteBuf buf) {
        return ByteBufUtil.getBytes(buf);
    }

    static String hexOf(ByteBuf buf) {
        return ByteBufUtil.hexDump(buf).toUpperCase();
    }

    /** The variable byte integer encoding of {@code value}, as hex. */
    static String vbi(int value) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer(4);
        try {
            VariableByteInteger.write(buf, value);
            return hexOf(buf);
        } finally {
            buf.release();
        }
    }
}
