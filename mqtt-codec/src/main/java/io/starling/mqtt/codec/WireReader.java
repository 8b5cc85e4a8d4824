package io.starling.mqtt.codec;

import static io.starling.mqtt.codec.MalformedPacketException.malformed;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * A cursor over one packet's body: reads advance from the body's start and may not pass its end (the
 * end the Remaining Length declares), so a field that overruns the packet is a 0x81 malformed packet,
 * never a read into the next packet. The underlying buffer's indexes are not touched.
 */
final class WireReader {
    private final ByteBuf buf;
    private final int end;
    private int index;

    WireReader(ByteBuf buf, int start, int end) {
        this.buf = buf;
        this.index = start;
        this.end = end;
    }

    int index() {
        return index;
    }

    int remaining() {
        return end - index;
    }

    boolean hasRemaining() {
        return index < end;
    }

    private void need(int bytes, String field) {
        if (end - index < bytes) {
            throw malformed("packet ends inside " + field);
        }
    }

    int readUnsignedByte(String field) {
        need(1, field);
        return buf.getUnsignedByte(index++);
    }

    int readUnsignedShort(String field) {
        need(2, field);
        int value = buf.getUnsignedShort(index);
        index += 2;
        return value;
    }

    long readUnsignedInt(String field) {
        need(4, field);
        long value = buf.getUnsignedInt(index);
        index += 4;
        return value;
    }

    /**
     * A packet identifier (§2.3.1): two bytes, not zero; 0 is refused with {@code zeroReason} (mosquitto
     * answers 0x82 for a PUBLISH and 0x81 for a SUBSCRIBE or UNSUBSCRIBE; the spec names neither).
     */
    int readPacketId(int zeroReason) {
        int id = readUnsignedShort("packet identifier");
        if (id == 0) {
            throw new MalformedPacketException(zeroReason, "packet identifier 0");
        }
        return id;
    }

    int readPacketId() {
        return readPacketId(ReasonCode.MALFORMED_PACKET);
    }

    int readVariableByteInteger(String field) {
        int value = 0;
        for (int shift = 0; shift < 28; shift += 7) {
            int digit = readUnsignedByte(field);
            value |= (digit & 0x7F) << shift;
            if ((digit & 0x80) == 0) {
                if (digit == 0 && shift > 0) {
                    throw malformed(field + " not in the fewest bytes");
                }
                return value;
            }
        }
        throw malformed(field + " longer than four bytes");
    }

    String readString(String field) {
        int length = readUnsignedShort(field);
        need(length, field);
        String s = Utf8.decode(buf, index, length);
        index += length;
        return s;
    }

    /** A string in a property value: as {@link #readString}, but a bad string is told apart (Malformed.Fault). */
    String readPropertyString(String field) {
        int length = readUnsignedShort(field);
        need(length, field);
        String s;
        try {
            s = Utf8.decode(buf, index, length);
        } catch (MalformedPacketException e) {
            throw MalformedPacketException.propertyString(field + ": " + e.getMessage());
        }
        index += length;
        return s;
    }

    /** Binary Data (5.0 §1.5.6; will message and password in 3.1.1 §3.1.3): two-byte length, then bytes. */
    byte[] readBinary(String field) {
        int length = readUnsignedShort(field);
        need(length, field);
        byte[] bytes = new byte[length];
        buf.getBytes(index, bytes);
        index += length;
        return bytes;
    }

    /** The rest of the packet as a retained slice of the read buffer (PUBLISH payload): no copy. */
    ByteBuf retainedSliceOfRest() {
        int length = end - index;
        ByteBuf slice = length == 0 ? Unpooled.EMPTY_BUFFER : buf.retainedSlice(index, length);
        index = end;
        return slice;
    }

    /** Refuses trailing bytes the packet's fields do not account for. */
    void expectEnd(PacketType type) {
        if (index != end) {
            throw malformed(type + " has " + (end - index) + " bytes after its last field");
        }
    }
}
