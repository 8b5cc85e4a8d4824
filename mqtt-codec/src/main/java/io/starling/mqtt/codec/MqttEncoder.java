package io.starling.mqtt.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.util.List;
import java.util.Objects;

/**
 * Turns packets into bytes for one protocol version. Stateless and shared.
 *
 * <p>Every packet is sized before it is written, so a buffer of exactly {@link #encodedSize} bytes is
 * allocated once and invalid content ({@link IllegalArgumentException}: a string with U+0000 or an
 * unpaired surrogate, a property not allowed in the packet or out of range, an empty SUBSCRIBE, a
 * packet over the protocol's size limit...) is refused before anything is allocated.
 *
 * <p>What does not exist in the target version is left out: 3.1/3.1.1 get no properties and no
 * reason codes (a 3.1.1 PUBACK is 2 bytes, UNSUBACK has no payload, DISCONNECT is empty, CONNACK is
 * the session-present flag and return code; 3.1 has no session-present flag either). In 5.0 the
 * optional parts are omitted as mosquitto omits them, byte for byte: PUBACK/PUBREC/PUBREL/PUBCOMP
 * and DISCONNECT drop the properties when empty and the reason code too when it is 0 (§3.4.2.1,
 * §3.14.2.1); AUTH drops both when it is 0 with no properties (§3.15.2.1).
 *
 * <p>A PUBLISH is a {@link CompositeByteBuf}: a freshly allocated header (fixed header, topic, packet
 * identifier, properties) and a {@code retainedDuplicate()} of the payload, which is never copied.
 * The caller keeps its own reference to the payload; the returned buffer owns one more, released
 * when the buffer is (for example, once written to a channel).
 */
public final class MqttEncoder {
    private MqttEncoder() {
    }

    /**
     * @param version the connection's version; a CONNECT is always encoded in its own
     *                {@link Connect#version()}, and this may then be null
     */
    public static ByteBuf encode(ByteBufAllocator alloc, Packet packet, MqttVersion version) {
        MqttVersion v = versionFor(packet, version);
        if (packet instanceof Publish p) {
            return encodePublish(alloc, p, v);
        }
        int remaining = remainingLength(packet, v);
        ByteBuf out = alloc.buffer(1 + VariableByteInteger.size(remaining) + remaining);
        try {
            out.writeByte(packet.type().value() << 4 | packet.type().requiredFlags());
            VariableByteInteger.write(out, remaining);
            writeBody(out, packet, v);
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    /** The number of bytes {@link #encode} produces for this packet, fixed header and payload included. */
    public static int encodedSize(Packet packet, MqttVersion version) {
        int remaining = remainingLength(packet, versionFor(packet, version));
        return 1 + VariableByteInteger.size(remaining) + remaining;
    }

    private static MqttVersion versionFor(Packet packet, MqttVersion version) {
        Objects.requireNonNull(packet, "packet");
        if (packet instanceof Connect c) {
            return c.version();
        }
        Objects.requireNonNull(version, "version");
        if (packet.type() == PacketType.AUTH && !version.isV5()) {
            throw new IllegalArgumentException("AUTH exists only in MQTT 5.0");
        }
        return version;
    }

    private static ByteBuf encodePublish(ByteBufAllocator alloc, Publish p, MqttVersion v) {
        ByteBuf out = encodePublishHeader(alloc, p, v);
        if (!p.payload().isReadable()) {
            return out;
        }
        CompositeByteBuf composite = alloc.compositeBuffer(2);
        composite.addComponents(true, out, p.payload().retainedDuplicate());
        return composite;
    }

    /**
     * A PUBLISH without its payload: fixed header (whose length counts the payload), topic, packet
     * identifier and properties. Written before a duplicate of the payload, it makes the whole packet
     * with no composite buffer, for a transport that gathers consecutive writes anyway.
     */
    public static ByteBuf encodePublishHeader(ByteBufAllocator alloc, Publish p, MqttVersion version) {
        return encodePublishHeader(alloc, p, version, 0);
    }

    /**
     * A PUBLISH in one new buffer, the payload copied in after the header: for small payloads, where
     * a copy costs less than a second buffer sharing the payload (and a second write to gather).
     */
    public static ByteBuf encodePublishCopy(ByteBufAllocator alloc, Publish p, MqttVersion version) {
        ByteBuf payload = p.payload();
        return encodePublishHeader(alloc, p, version, payload.readableBytes())
                .writeBytes(payload, payload.readerIndex(), payload.readableBytes());
    }

    private static ByteBuf encodePublishHeader(ByteBufAllocator alloc, Publish p, MqttVersion version, int room) {
        MqttVersion v = versionFor(p, version);
        int topicLength = Utf8.encodedLength(p.topic());
        int header = publishHeaderLength(p, topicLength, v);
        int remaining = checkRemaining((long) header + p.payload().readableBytes());
        ByteBuf out = alloc.buffer(1 + VariableByteInteger.size(remaining) + header + room);
        try {
            out.writeByte(PacketType.PUBLISH.value() << 4 | (p.dup() ? 0x08 : 0) | p.qos().value() << 1
                    | (p.retain() ? 0x01 : 0));
            VariableByteInteger.write(out, remaining);
            Utf8.write(out, p.topic(), topicLength);
            if (p.qos() != QoS.AT_MOST_ONCE) {
                out.writeShort(p.packetId());
            }
            if (v.isV5()) {
                PropertiesCodec.write(out, p.properties(), PacketType.PUBLISH, false);
            }
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    /** Everything but the fixed header and the payload: topic, packet identifier, properties. */
    private static int publishHeaderLength(Publish p, int topicLength, MqttVersion v) {
        if (p.dup() && p.qos() == QoS.AT_MOST_ONCE) {
            throw new IllegalArgumentException("DUP must be 0 for a QoS 0 PUBLISH");
        }
        return 2 + topicLength + (p.qos() == QoS.AT_MOST_ONCE ? 0 : 2)
                + (v.isV5() ? PropertiesCodec.size(p.properties(), PacketType.PUBLISH, false) : 0);
    }

    private static int checkRemaining(long remaining) {
        if (remaining > VariableByteInteger.MAX) {
            throw new IllegalArgumentException("packet body of " + remaining + " bytes exceeds the protocol limit");
        }
        return (int) remaining;
    }

    private static int remainingLength(Packet packet, MqttVersion v) {
        long length;
        switch (packet.type()) {
            case CONNECT:
                length = ConnectEncoder.remainingLength((Connect) packet);
                break;
            case CONNACK: {
                ConnAck c = (ConnAck) packet;
                checkByte(c.reasonCode());
                length = 2 + properties(c.properties(), PacketType.CONNACK, v);
                break;
            }
            case PUBLISH: {
                Publish p = (Publish) packet;
                length = (long) publishHeaderLength(p, Utf8.encodedLength(p.topic()), v)
                        + p.payload().readableBytes();
                break;
            }
            case PUBACK: {
                PubAck a = (PubAck) packet;
                length = 2 + optionalReasonAndProperties(a.reasonCode(), a.properties(), PacketType.PUBACK, v);
                break;
            }
            case PUBREC: {
                PubRec a = (PubRec) packet;
                length = 2 + optionalReasonAndProperties(a.reasonCode(), a.properties(), PacketType.PUBREC, v);
                break;
            }
            case PUBREL: {
                PubRel a = (PubRel) packet;
                length = 2 + optionalReasonAndProperties(a.reasonCode(), a.properties(), PacketType.PUBREL, v);
                break;
            }
            case PUBCOMP: {
                PubComp a = (PubComp) packet;
                length = 2 + optionalReasonAndProperties(a.reasonCode(), a.properties(), PacketType.PUBCOMP, v);
                break;
            }
            case SUBSCRIBE: {
                Subscribe s = (Subscribe) packet;
                nonEmpty(s.subscriptions(), PacketType.SUBSCRIBE);
                length = 2 + properties(s.properties(), PacketType.SUBSCRIBE, v);
                for (Subscription sub : s.subscriptions()) {
                    length += 2 + Utf8.encodedLength(sub.filter()) + 1;
                }
                break;
            }
            case SUBACK: {
                SubAck s = (SubAck) packet;
                length = 2 + properties(s.properties(), PacketType.SUBACK, v) + codes(s.reasonCodes());
                break;
            }
            case UNSUBSCRIBE: {
                Unsubscribe u = (Unsubscribe) packet;
                nonEmpty(u.filters(), PacketType.UNSUBSCRIBE);
                length = 2 + properties(u.properties(), PacketType.UNSUBSCRIBE, v);
                for (String filter : u.filters()) {
                    length += 2 + Utf8.encodedLength(filter);
                }
                break;
            }
            case UNSUBACK: {
                UnsubAck u = (UnsubAck) packet;
                length = 2 + (v.isV5() ? properties(u.properties(), PacketType.UNSUBACK, v) + codes(u.reasonCodes()) : 0);
                break;
            }
            case DISCONNECT: {
                Disconnect d = (Disconnect) packet;
                length = optionalReasonAndProperties(d.reasonCode(), d.properties(), PacketType.DISCONNECT, v);
                break;
            }
            case AUTH: {
                Auth a = (Auth) packet;
                checkByte(a.reasonCode());
                length = a.reasonCode() == ReasonCode.SUCCESS && a.properties().isEmpty()
                        ? 0 : 1 + properties(a.properties(), PacketType.AUTH, v);
                break;
            }
            default: // PINGREQ, PINGRESP
                length = 0;
                break;
        }
        return checkRemaining(length);
    }

    private static void writeBody(ByteBuf out, Packet packet, MqttVersion v) {
        switch (packet.type()) {
            case CONNECT:
                ConnectEncoder.write(out, (Connect) packet);
                break;
            case CONNACK: {
                ConnAck c = (ConnAck) packet;
                out.writeByte(c.sessionPresent() && v != MqttVersion.MQTT_3_1 ? 0x01 : 0);
                out.writeByte(c.reasonCode());
                writeProperties(out, c.properties(), PacketType.CONNACK, v);
                break;
            }
            case PUBACK: {
                PubAck a = (PubAck) packet;
                writePubReply(out, a.packetId(), a.reasonCode(), a.properties(), PacketType.PUBACK, v);
                break;
            }
            case PUBREC: {
                PubRec a = (PubRec) packet;
                writePubReply(out, a.packetId(), a.reasonCode(), a.properties(), PacketType.PUBREC, v);
                break;
            }
            case PUBREL: {
                PubRel a = (PubRel) packet;
                writePubReply(out, a.packetId(), a.reasonCode(), a.properties(), PacketType.PUBREL, v);
                break;
            }
            case PUBCOMP: {
                PubComp a = (PubComp) packet;
                writePubReply(out, a.packetId(), a.reasonCode(), a.properties(), PacketType.PUBCOMP, v);
                break;
            }
            case SUBSCRIBE: {
                Subscribe s = (Subscribe) packet;
                out.writeShort(s.packetId());
                writeProperties(out, s.properties(), PacketType.SUBSCRIBE, v);
                for (Subscription sub : s.subscriptions()) {
                    Utf8.write(out, sub.filter());
                    out.writeByte(optionsByte(sub.options(), v));
                }
                break;
            }
            case SUBACK: {
                SubAck s = (SubAck) packet;
                out.writeShort(s.packetId());
                writeProperties(out, s.properties(), PacketType.SUBACK, v);
                s.reasonCodes().forEach(out::writeByte);
                break;
            }
            case UNSUBSCRIBE: {
                Unsubscribe u = (Unsubscribe) packet;
                out.writeShort(u.packetId());
                writeProperties(out, u.properties(), PacketType.UNSUBSCRIBE, v);
                u.filters().forEach(filter -> Utf8.write(out, filter));
                break;
            }
            case UNSUBACK: {
                UnsubAck u = (UnsubAck) packet;
                out.writeShort(u.packetId());
                if (v.isV5()) {
                    writeProperties(out, u.properties(), PacketType.UNSUBACK, v);
                    u.reasonCodes().forEach(out::writeByte);
                }
                break;
            }
            case DISCONNECT: {
                Disconnect d = (Disconnect) packet;
                writeOptionalReasonAndProperties(out, d.reasonCode(), d.properties(), PacketType.DISCONNECT, v);
                break;
            }
            case AUTH: {
                Auth a = (Auth) packet;
                if (a.reasonCode() != ReasonCode.SUCCESS || !a.properties().isEmpty()) {
                    out.writeByte(a.reasonCode());
                    writeProperties(out, a.properties(), PacketType.AUTH, v);
                }
                break;
            }
            default: // PINGREQ, PINGRESP: no body
                break;
        }
    }

    /** 5.0 properties with their length prefix, or nothing before 5.0. */
    private static int properties(Properties properties, PacketType type, MqttVersion v) {
        return v.isV5() ? PropertiesCodec.size(properties, type, false) : 0;
    }

    private static void writeProperties(ByteBuf out, Properties properties, PacketType type, MqttVersion v) {
        if (v.isV5()) {
            PropertiesCodec.write(out, properties, type, false);
        }
    }

    /** The reason code and properties of a 5.0 PUBACK..PUBCOMP or DISCONNECT, each left out when not needed. */
    private static int optionalReasonAndProperties(int reason, Properties properties, PacketType type, MqttVersion v) {
        checkByte(reason);
        if (!v.isV5() || reason == ReasonCode.SUCCESS && properties.isEmpty()) {
            return 0;
        }
        return 1 + (properties.isEmpty() ? 0 : PropertiesCodec.size(properties, type, false));
    }

    private static void writePubReply(ByteBuf out, int packetId, int reason, Properties properties, PacketType type,
                                      MqttVersion v) {
        out.writeShort(packetId);
        writeOptionalReasonAndProperties(out, reason, properties, type, v);
    }

    private static void writeOptionalReasonAndProperties(ByteBuf out, int reason, Properties properties,
                                                         PacketType type, MqttVersion v) {
        if (!v.isV5() || reason == ReasonCode.SUCCESS && properties.isEmpty()) {
            return;
        }
        out.writeByte(reason);
        if (!properties.isEmpty()) {
            PropertiesCodec.write(out, properties, type, false);
        }
    }

    private static int optionsByte(SubscriptionOptions o, MqttVersion v) {
        int options = o.qos().value();
        if (v.isV5()) {
            options |= (o.noLocal() ? 0x04 : 0) | (o.retainAsPublished() ? 0x08 : 0) | o.retainHandling() << 4;
        }
        return options;
    }

    private static int codes(List<Integer> codes) {
        codes.forEach(MqttEncoder::checkByte);
        return codes.size();
    }

    private static void checkByte(int code) {
        if (code < 0 || code > 0xFF) {
            throw new IllegalArgumentException("reason code out of range: " + code);
        }
    }

    private static void nonEmpty(List<?> list, PacketType type) {
        if (list.isEmpty()) {
            throw new IllegalArgumentException(type + " needs at least one topic filter");
        }
    }
}
