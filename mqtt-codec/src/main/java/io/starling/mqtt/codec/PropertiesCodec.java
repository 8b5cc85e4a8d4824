package io.starling.mqtt.codec;

import static io.starling.mqtt.codec.MalformedPacketException.malformed;
import static io.starling.mqtt.codec.MalformedPacketException.protocolError;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * MQTT 5.0 properties on the wire (§2.2.2): a Variable Byte Integer length, then identifier/value
 * pairs. Used by the decoder and the encoder; {@code will} selects the will-properties rules of a
 * CONNECT payload (§3.1.3.2) instead of the packet's.
 *
 * <p>Reading refuses what mosquitto 2.0.11 refuses (measured with raw packets): an identifier that
 * is undefined or not allowed here (0x81 malformed); a property repeated that may appear once,
 * including a second Subscription Identifier in a SUBSCRIBE (0x82, {@link Malformed.Fault#DUPLICATE_PROPERTY});
 * a string in a property that is not an MQTT string (0x81, {@link Malformed.Fault#PROPERTY_STRING});
 * a value outside what the spec allows (a 0/1 flag other than 0 or 1, a zero Receive Maximum or
 * Maximum Packet Size: 0x82; a zero Topic Alias, a zero Subscription Identifier in a SUBSCRIBE:
 * 0x81); a property overrunning the property length (0x81). A Payload Format Indicator is taken
 * whatever its value. Writing refuses the same things with {@link IllegalArgumentException}, so
 * whatever the encoder emits, the decoder accepts.
 */
final class PropertiesCodec {
    private PropertiesCodec() {
    }

    static Properties read(WireReader r, PacketType packet, boolean will) {
        int length = r.readVariableByteInteger("property length");
        if (length == 0) {
            return Properties.EMPTY;
        }
        if (length > r.remaining()) {
            throw malformed("property length " + length + " overruns the " + packet + " packet");
        }
        int end = r.index() + length;
        List<Property> list = new ArrayList<>(4);
        long seen = 0;
        while (r.index() < end) {
            int code = r.readVariableByteInteger("property identifier");
            PropertyId id = PropertyId.of(code);
            if (id == null) {
                throw malformed(String.format("undefined property 0x%02X in %s", code, where(packet, will)));
            }
            if (!(will ? id.allowedInWill() : id.allowedIn(packet))) {
                throw malformed(id + " not allowed in " + where(packet, will));
            }
            long bit = 1L << id.id();
            if ((seen & bit) != 0 && (!id.repeatable() || id == PropertyId.SUBSCRIPTION_IDENTIFIER
                    && packet == PacketType.SUBSCRIBE)) {
                throw new MalformedPacketException(ReasonCode.PROTOCOL_ERROR, id + " appears twice in "
                        + where(packet, will), Malformed.Fault.DUPLICATE_PROPERTY);
            }
            seen |= bit;
            Property p = readValue(r, id);
            if (p instanceof Property.Number n) {
                checkValue(id, n.value(), packet);
            }
            list.add(p);
        }
        if (r.index() != end) {
            throw malformed("a property overruns the property length in " + where(packet, will));
        }
        return Properties.of(list);
    }

    private static Property readValue(WireReader r, PropertyId id) {
        String field = id.name();
        switch (id.type()) {
            case BYTE: return new Property.Number(id, r.readUnsignedByte(field));
            case TWO_BYTE_INT: return new Property.Number(id, r.readUnsignedShort(field));
            case FOUR_BYTE_INT: return new Property.Number(id, r.readUnsignedInt(field));
            case VARIABLE_INT: return new Property.Number(id, r.readVariableByteInteger(field));
            case UTF8: return new Property.Text(id, r.readPropertyString(field));
            case BINARY: return new Property.Binary(id, r.readBinary(field));
            case UTF8_PAIR: return new Property.UserProperty(r.readPropertyString(field), r.readPropertyString(field));
            default: throw new AssertionError(id.type());
        }
    }

    /**
     * The values the spec forbids, refused as mosquitto 2.0.11 refuses them: a Payload Format
     * Indicator is passed on whatever its value (the spec names no error for it); a Topic Alias of 0
     * is malformed (0x81); a Subscription Identifier of 0 is malformed in a SUBSCRIBE and ignored in
     * a PUBLISH, where a client may not send one at all (MQTT-3.3.4-6) but mosquitto drops it.
     */
    private static void checkValue(PropertyId id, long value, PacketType packet) {
        switch (id) {
            case REQUEST_PROBLEM_INFORMATION: case REQUEST_RESPONSE_INFORMATION:
            case MAXIMUM_QOS: case RETAIN_AVAILABLE: case WILDCARD_SUBSCRIPTION_AVAILABLE:
            case SUBSCRIPTION_IDENTIFIER_AVAILABLE: case SHARED_SUBSCRIPTION_AVAILABLE:
                if (value > 1) {
                    throw protocolError(id + " must be 0 or 1, was " + value);
                }
                break;
            case TOPIC_ALIAS:
                if (value == 0) {
                    throw malformed(id + " must not be 0"); // MQTT-3.3.2-8
                }
                break;
            case SUBSCRIPTION_IDENTIFIER:
                if (value == 0 && packet != PacketType.PUBLISH) {
                    throw malformed(id + " must not be 0"); // MQTT-3.8.2.1.2
                }
                break;
            case RECEIVE_MAXIMUM: case MAXIMUM_PACKET_SIZE:
                if (value == 0) {
                    throw protocolError(id + " must not be 0");
                }
                break;
            default:
                break;
        }
    }

    private static String where(PacketType packet, boolean will) {
        return will ? "will properties" : packet.toString();
    }

    /** The wire size of the properties including their length prefix; validates them. */
    static int size(Properties properties, PacketType packet, boolean will) {
        int length = contentLength(properties, packet, will);
        return VariableByteInteger.size(length) + length;
    }

    /** Writes the length prefix and the properties; {@link #size} must have accepted them. */
    static void write(ByteBuf out, Properties properties, PacketType packet, boolean will) {
        VariableByteInteger.write(out, contentLength(properties, packet, will));
        for (Property p : properties.asList()) {
            PropertyId id = p.id();
            VariableByteInteger.write(out, id.id());
            if (p instanceof Property.Number n) {
                long v = n.value();
                switch (id.type()) {
                    case BYTE: out.writeByte((int) v); break;
                    case TWO_BYTE_INT: out.writeShort((int) v); break;
                    case FOUR_BYTE_INT: out.writeInt((int) v); break;
                    default: VariableByteInteger.write(out, (int) v); break;
                }
            } else if (p instanceof Property.Text t) {
                Utf8.write(out, t.value());
            } else if (p instanceof Property.Binary b) {
                out.writeShort(b.value().length);
                out.writeBytes(b.value());
            } else if (p instanceof Property.UserProperty u) {
                Utf8.write(out, u.name());
                Utf8.write(out, u.value());
            }
        }
    }

    private static int contentLength(Properties properties, PacketType packet, boolean will) {
        int length = 0;
        long seen = 0;
        for (Property p : properties.asList()) {
            PropertyId id = p.id();
            if (!(will ? id.allowedInWill() : id.allowedIn(packet))) {
                throw new IllegalArgumentException(id + " is not allowed in " + where(packet, will));
            }
            long bit = 1L << id.id();
            if ((seen & bit) != 0 && (!id.repeatable() || id == PropertyId.SUBSCRIPTION_IDENTIFIER
                    && packet == PacketType.SUBSCRIBE)) {
                throw new IllegalArgumentException(id + " appears twice in " + where(packet, will));
            }
            seen |= bit;
            length += VariableByteInteger.size(id.id()) + valueLength(p);
        }
        return length;
    }

    private static int valueLength(Property p) {
        PropertyId id = p.id();
        PropertyId.Type type = id.type();
        if (p instanceof Property.Number n) {
            long v = n.value();
            switch (type) {
                case BYTE: return checkRange(id, v, 0xFF, 1);
                case TWO_BYTE_INT: return checkRange(id, v, 0xFFFF, 2);
                case FOUR_BYTE_INT: return checkRange(id, v, 0xFFFF_FFFFL, 4);
                case VARIABLE_INT: return VariableByteInteger.size(checkRange(id, v, VariableByteInteger.MAX, (int) v));
                default: break;
            }
        } else if (p instanceof Property.Text t && type == PropertyId.Type.UTF8) {
            return 2 + Utf8.encodedLength(t.value());
        } else if (p instanceof Property.Binary b && type == PropertyId.Type.BINARY) {
            if (b.value().length > 0xFFFF) {
                throw new IllegalArgumentException(id + " longer than 65535 bytes");
            }
            return 2 + b.value().length;
        } else if (p instanceof Property.UserProperty u) {
            return 4 + Utf8.encodedLength(u.name()) + Utf8.encodedLength(u.value());
        }
        throw new IllegalArgumentException(id + " has type " + type + " but holds " + p.getClass().getSimpleName());
    }

    private static int checkRange(PropertyId id, long value, long max, int result) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(id + " value out of range: " + value);
        }
        try {
            checkValue(id, value, null);
        } catch (MalformedPacketException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        return result;
    }
}
