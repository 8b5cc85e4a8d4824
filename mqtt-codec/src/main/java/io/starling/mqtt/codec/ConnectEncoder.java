package io.starling.mqtt.codec;

import io.netty.buffer.ByteBuf;

/** The body of a CONNECT, for {@link MqttEncoder}: sized first, then written into an exact buffer. */
final class ConnectEncoder {
    private ConnectEncoder() {
    }

    static int remainingLength(Connect c) {
        MqttVersion v = c.version();
        if (!v.isV5() && c.password() != null && c.username() == null) {
            throw new IllegalArgumentException("MQTT " + v + " forbids a password without a user name");
        }
        int length = 2 + v.protocolName().length() + 1 + 1 + 2;
        if (v.isV5()) {
            length += PropertiesCodec.size(c.properties(), PacketType.CONNECT, false);
        }
        length += 2 + Utf8.encodedLength(c.clientId());
        Will will = c.will();
        if (will != null) {
            if (v.isV5()) {
                length += PropertiesCodec.size(will.properties(), PacketType.CONNECT, true);
            }
            length += 2 + Utf8.encodedLength(will.topic()) + 2 + binaryLength(will.payload(), "will payload");
        }
        if (c.username() != null) {
            length += 2 + Utf8.encodedLength(c.username());
        }
        if (c.password() != null) {
            length += 2 + binaryLength(c.password(), "password");
        }
        return length;
    }

    static void write(ByteBuf out, Connect c) {
        MqttVersion v = c.version();
        Utf8.write(out, v.protocolName());
        out.writeByte(v.level() | (c.bridge() ? Connect.BRIDGE_LEVEL_BIT : 0));
        Will will = c.will();
        int flags = (c.cleanStart() ? 0x02 : 0)
                | (will == null ? 0 : 0x04 | will.qos().value() << 3 | (will.retain() ? 0x20 : 0))
                | (c.password() != null ? 0x40 : 0)
                | (c.username() != null ? 0x80 : 0);
        out.writeByte(flags);
        out.writeShort(c.keepAlive());
        if (v.isV5()) {
            PropertiesCodec.write(out, c.properties(), PacketType.CONNECT, false);
        }
        Utf8.write(out, c.clientId());
        if (will != null) {
            if (v.isV5()) {
                PropertiesCodec.write(out, will.properties(), PacketType.CONNECT, true);
            }
            Utf8.write(out, will.topic());
            out.writeShort(will.payload().length);
            out.writeBytes(will.payload());
        }
        if (c.username() != null) {
            Utf8.write(out, c.username());
        }
        if (c.password() != null) {
            out.writeShort(c.password().length);
            out.writeBytes(c.password());
        }
    }

    private static int binaryLength(byte[] data, String field) {
        if (data.length > 0xFFFF) {
            throw new IllegalArgumentException(field + " longer than 65535 bytes: " + data.length);
        }
        return data.length;
    }
}
