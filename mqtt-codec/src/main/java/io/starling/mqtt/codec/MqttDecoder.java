package io.starling.mqtt.codec;

import static io.starling.mqtt.codec.MalformedPacketException.malformed;
import static io.starling.mqtt.codec.MalformedPacketException.protocolError;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns bytes into packets, at most one per call (MQTT 3.1, 3.1.1 §2-3, 5.0 §2-3).
 *
 * <p>How it reads: the fixed header is parsed with absolute reads, so while a packet is incomplete
 * the buffer's reader index is untouched and {@link NeedMoreData} is returned. The packet size is
 * checked as soon as the Remaining Length is known, before any of the body has arrived or been
 * allocated for. Once the whole body is present, a {@link WireReader} bounded by the declared length
 * reads it; only then is the reader index moved past the packet. A PUBLISH payload is a retained
 * slice of the input, every other field is copied out into a String, array or record.
 *
 * <p>Bad input is a value: rules broken inside the body throw {@link MalformedPacketException}, and
 * this class (the one place) turns that, or any other runtime exception, into a {@link Malformed}.
 * After that the decoder is dead, as Netty's decoder in its {@code BAD_MESSAGE} state: it returns the
 * same verdict without reading, because the connection is being closed.
 *
 * <p>Versions: packets are decoded in the version of the last CONNECT seen (its protocol level is
 * adopted as soon as it has been read, even if the rest of the CONNECT is malformed), or the version
 * given to {@link #setVersion}; before either, as 3.1.1.
 *
 * <p>Threading: one instance per connection, used only on that connection's event loop.
 *
 * <p>Not final: the broker's connection extends it (through its packet stream), so that one idle
 * connection is one object rather than a handler holding a stream holding a decoder (issue 16: heap
 * per connection). Its state stays private here.
 */
public class MqttDecoder {
    /** The largest packet the protocol can express: 5 header bytes plus a 268,435,455 byte body. */
    public static final int MAX_PACKET_SIZE_LIMIT = VariableByteInteger.MAX + 5;

    private int maxPacketSize;
    private MqttVersion version;
    private Malformed failure;

    /** @param maxPacketSize the largest whole packet (fixed header included) accepted, in bytes */
    public MqttDecoder(int maxPacketSize) {
        setMaxPacketSize(maxPacketSize);
    }

    public void setMaxPacketSize(int max) {
        if (max < 2 || max > MAX_PACKET_SIZE_LIMIT) {
            throw new IllegalArgumentException("maximum packet size out of range 2.." + MAX_PACKET_SIZE_LIMIT
                    + ": " + max);
        }
        this.maxPacketSize = max;
    }

    /** The connection's protocol version, or null until a CONNECT was read or {@link #setVersion} called. */
    public MqttVersion version() {
        return version;
    }

    /** Sets the version to decode with; the client side calls it after sending its CONNECT. */
    public void setVersion(MqttVersion v) {
        this.version = v;
    }

    /**
     * Reads at most one packet from {@code in}.
     *
     * @return the packet (consumed from {@code in}); {@link NeedMoreData#INSTANCE} with {@code in}
     *         untouched; or a {@link Malformed}, then the same one on every later call
     */
    public DecodeResult decode(ByteBuf in) {
        if (failure != null) {
            return failure;
        }
        PacketType type = null;
        try {
            int start = in.readerIndex();
            int limit = in.writerIndex();
            if (start >= limit) {
                return NeedMoreData.INSTANCE;
            }
            int first = in.getUnsignedByte(start);
            type = PacketType.of(first >>> 4);
            int flags = first & 0x0F;
            checkFixedHeader(type, flags);

            // The Remaining Length: a length in more bytes than needed is taken, as mosquitto 2.0.11
            // takes it (MQTT-1.5.5-1 binds the sender); one in five bytes cannot be framed: the
            // Malformed then has no packet type, the packet never having been read as one.
            int remaining = 0;
            int index = start + 1;
            for (int shift = 0; ; shift += 7) {
                if (shift == 28) {
                    return fail(new Malformed(ReasonCode.MALFORMED_PACKET, "remaining length longer than four bytes",
                            null));
                }
                if (index >= limit) {
                    return NeedMoreData.INSTANCE;
                }
                int digit = in.getUnsignedByte(index++);
                remaining |= (digit & 0x7F) << shift;
                if ((digit & 0x80) == 0) {
                    break;
                }
            }
            long size = (long) (index - start) + remaining;
            if (size > maxPacketSize) {
                throw new MalformedPacketException(ReasonCode.PACKET_TOO_LARGE,
                        type + " of " + size + " bytes exceeds the maximum packet size " + maxPacketSize);
            }
            if (limit - index < remaining) {
                return NeedMoreData.INSTANCE;
            }
            int end = index + remaining;
            Packet packet = decodeBody(type, flags, new WireReader(in, index, end));
            in.readerIndex(end);
            return packet;
        } catch (MalformedPacketException e) {
            return fail(new Malformed(e.reasonCode(), e.getMessage(), type, e.fault()));
        } catch (RuntimeException e) {
            return fail(new Malformed(ReasonCode.MALFORMED_PACKET, "cannot decode " + (type == null ? "packet" : type)
                    + ": " + e, type));
        }
    }

    private Malformed fail(Malformed malformed) {
        failure = malformed;
        return failure;
    }

    /**
     * The fixed header flags, checked where mosquitto 2.0.11 checks them: on DISCONNECT, SUBSCRIBE,
     * UNSUBSCRIBE and PUBREL (in MQTT 3.1 on none of them: a 3.1 client's resent PUBREL carries DUP),
     * on CONNECT once its version is known ({@link #checkConnectFlags}), and QoS 3 on PUBLISH. PUBACK,
     * PUBREC, PUBCOMP and PINGREQ are taken whatever their flags, and so is DUP on a QoS 0 PUBLISH. A
     * server-only packet is refused by the broker whatever its flags. AUTH exists only in 5.0.
     */
    private void checkFixedHeader(PacketType type, int flags) {
        switch (type) {
            case RESERVED:
                throw protocolError("reserved packet type 0");
            case AUTH:
                if (version != MqttVersion.MQTT_5) {
                    throw protocolError("AUTH outside MQTT 5.0");
                }
                break;
            case PUBLISH:
                if (((flags >> 1) & 0x03) == 3) {
                    throw malformed("PUBLISH with QoS 3");
                }
                return;
            case DISCONNECT: case SUBSCRIBE: case UNSUBSCRIBE: case PUBREL:
                if (version == MqttVersion.MQTT_3_1) {
                    return;
                }
                break;
            default:
                return;
        }
        if (flags != type.requiredFlags()) {
            throw malformed(String.format("%s with fixed header flags 0x%X, must be 0x%X", type, flags,
                    type.requiredFlags()));
        }
    }

    /** CONNECT's flags must be 0, except in MQTT 3.1, where mosquitto does not look at them. */
    private static void checkConnectFlags(int flags, MqttVersion v) {
        if (flags != 0 && v != MqttVersion.MQTT_3_1) {
            throw malformed(String.format("CONNECT with fixed header flags 0x%X, must be 0", flags));
        }
    }

    private Packet decodeBody(PacketType type, int flags, WireReader r) {
        MqttVersion v = version == null ? MqttVersion.MQTT_3_1_1 : version;
        switch (type) {
            case CONNECT:
                ConnectDecoder.Level level = ConnectDecoder.readLevel(r);
                version = level.version();
                checkConnectFlags(flags, version);
                return ConnectDecoder.readRest(r, level);
            case CONNACK: return connAck(r, v);
            case PUBLISH: return publish(r, flags, v);
            case PUBACK:
            case PUBREC:
            case PUBREL:
            case PUBCOMP: return pubReply(r, type, v);
            case SUBSCRIBE: return subscribe(r, v);
            case SUBACK: return subAck(r, v);
            case UNSUBSCRIBE: return unsubscribe(r, v);
            case UNSUBACK: return unsubAck(r, v);
            case PINGREQ:
                return PingReq.INSTANCE; // bytes after it are ignored, as mosquitto ignores them
            case PINGRESP:
                r.expectEnd(type);
                return PingResp.INSTANCE;
            case DISCONNECT:
            case AUTH: return reasonAndProperties(r, type, v);
            default: throw new AssertionError(type);
        }
    }

    private static ConnAck connAck(WireReader r, MqttVersion v) {
        int ackFlags = r.readUnsignedByte("acknowledge flags");
        // In 3.1 the whole byte is unused; from 3.1.1 on, bits 7-1 are reserved.
        if (v != MqttVersion.MQTT_3_1 && (ackFlags & 0xFE) != 0) {
            throw malformed("reserved CONNACK flags set");
        }
        int code = r.readUnsignedByte("return code");
        Properties properties = v.isV5() ? PropertiesCodec.read(r, PacketType.CONNACK, false) : Properties.EMPTY;
        r.expectEnd(PacketType.CONNACK);
        return new ConnAck(v != MqttVersion.MQTT_3_1 && (ackFlags & 0x01) != 0, code, properties);
    }

    private static Publish publish(WireReader r, int flags, MqttVersion v) {
        QoS qos = QoS.of((flags >> 1) & 0x03);
        String topic = r.readString("topic name");
        int packetId = qos == QoS.AT_MOST_ONCE ? 0 : r.readPacketId(ReasonCode.PROTOCOL_ERROR);
        Properties properties = v.isV5() ? PropertiesCodec.read(r, PacketType.PUBLISH, false) : Properties.EMPTY;
        // Last, so that nothing can fail once the payload holds a reference.
        return new Publish((flags & 0x08) != 0, qos, (flags & 0x01) != 0, topic, packetId, properties,
                r.retainedSliceOfRest());
    }

    /**
     * PUBACK, PUBREC, PUBREL, PUBCOMP: 5.0 may drop the reason code and properties (§3.4.2.1). Bytes
     * after the last field (in 3.1.1 after the packet identifier) are ignored, as mosquitto 2.0.11
     * ignores them; the spec states the length but names no receiver rule.
     */
    private static Packet pubReply(WireReader r, PacketType type, MqttVersion v) {
        int packetId = r.readPacketId();
        int reason = ReasonCode.SUCCESS;
        Properties properties = Properties.EMPTY;
        if (v.isV5() && r.hasRemaining()) {
            reason = r.readUnsignedByte("reason code");
            if (r.hasRemaining()) {
                properties = PropertiesCodec.read(r, type, false);
            }
        }
        switch (type) {
            case PUBACK: return new PubAck(packetId, reason, properties);
            case PUBREC: return new PubRec(packetId, reason, properties);
            case PUBREL: return new PubRel(packetId, reason, properties);
            default: return new PubComp(packetId, reason, properties);
        }
    }

    /** DISCONNECT and AUTH: reason code and properties, both omissible in 5.0, absent before. */
    private static Packet reasonAndProperties(WireReader r, PacketType type, MqttVersion v) {
        int reason = ReasonCode.SUCCESS;
        Properties properties = Properties.EMPTY;
        if (v.isV5() && r.hasRemaining()) {
            reason = r.readUnsignedByte("reason code");
            if (r.hasRemaining()) {
                properties = PropertiesCodec.read(r, type, false);
            }
        }
        r.expectEnd(type);
        return type == PacketType.AUTH ? new Auth(reason, properties) : new Disconnect(reason, properties);
    }

    private static Subscribe subscribe(WireReader r, MqttVersion v) {
        int packetId = r.readPacketId();
        Properties properties = v.isV5() ? PropertiesCodec.read(r, PacketType.SUBSCRIBE, false) : Properties.EMPTY;
        List<Subscription> subscriptions = new ArrayList<>(2);
        while (r.hasRemaining()) {
            String filter = r.readString("topic filter");
            subscriptions.add(new Subscription(filter, options(r.readUnsignedByte("subscription options"), v)));
        }
        if (subscriptions.isEmpty() && v != MqttVersion.MQTT_3_1) { // 3.1 allows none: mosquitto sends an empty SUBACK
            throw malformed("SUBSCRIBE without a topic filter"); // MQTT-3.8.3-3
        }
        return new Subscribe(packetId, subscriptions, properties);
    }

    /** The options byte: 3.1.1 §3.8.3 (QoS only), 5.0 §3.8.3.1. */
    private static SubscriptionOptions options(int options, MqttVersion v) {
        int qos = options & 0x03;
        if (!v.isV5()) {
            if ((options & 0xFC) != 0) {
                throw malformed("reserved bits set in requested QoS byte");
            }
            if (qos == 3) {
                throw malformed("requested QoS 3");
            }
            return SubscriptionOptions.of(QoS.of(qos));
        }
        if ((options & 0xC0) != 0) {
            throw malformed("reserved bits set in subscription options");
        }
        int retainHandling = (options >> 4) & 0x03;
        if (retainHandling == 3) {
            throw malformed("retain handling 3"); // MQTT-3.8.3-5; 0x81 as mosquitto
        }
        if (qos == 3) {
            throw malformed("subscription QoS 3");
        }
        return new SubscriptionOptions(QoS.of(qos), (options & 0x04) != 0, (options & 0x08) != 0, retainHandling);
    }

    private static SubAck subAck(WireReader r, MqttVersion v) {
        int packetId = r.readPacketId();
        Properties properties = v.isV5() ? PropertiesCodec.read(r, PacketType.SUBACK, false) : Properties.EMPTY;
        return new SubAck(packetId, reasonCodes(r), properties);
    }

    private static Unsubscribe unsubscribe(WireReader r, MqttVersion v) {
        int packetId = r.readPacketId();
        Properties properties = v.isV5()
                ? PropertiesCodec.read(r, PacketType.UNSUBSCRIBE, false) : Properties.EMPTY;
        List<String> filters = new ArrayList<>(2);
        while (r.hasRemaining()) {
            filters.add(r.readString("topic filter"));
        }
        if (filters.isEmpty() && v != MqttVersion.MQTT_3_1) { // as SUBSCRIBE
            throw malformed("UNSUBSCRIBE without a topic filter"); // MQTT-3.10.3-2
        }
        return new Unsubscribe(packetId, filters, properties);
    }

    /** 3.1.1 UNSUBACK is the packet identifier alone; 5.0 adds properties and one reason code per filter. */
    private static UnsubAck unsubAck(WireReader r, MqttVersion v) {
        int packetId = r.readPacketId();
        if (!v.isV5()) {
            r.expectEnd(PacketType.UNSUBACK);
            return new UnsubAck(packetId, List.of(), Properties.EMPTY);
        }
        Properties properties = PropertiesCodec.read(r, PacketType.UNSUBACK, false);
        return new UnsubAck(packetId, reasonCodes(r), properties);
    }

    private static List<Integer> reasonCodes(WireReader r) {
        List<Integer> codes = new ArrayList<>(r.remaining());
        while (r.hasRemaining()) {
            codes.add(r.readUnsignedByte("reason code"));
        }
        return codes;
    }
}
