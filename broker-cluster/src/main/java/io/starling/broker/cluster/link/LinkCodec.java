package io.starling.broker.cluster.link;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.starling.broker.cluster.NodeId;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.routing.RemoteNode;
import io.starling.broker.core.topic.TopicFilter;
import io.starling.broker.core.time.Clock;
import io.starling.mqtt.codec.PacketType;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.Property;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.QoS;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes of a {@link LinkFrame}. Every frame is
 * <pre>
 *   u32 length of the rest | u8 version (3) | u8 type | body
 *   HELLO   (1): str node id | i64 incarnation
 *   PUBLISH (2): i64 seq | u8 flags (bits 0-1 QoS, bit 2 retain, bit 3 not for ordinary subscriptions,
 *                bit 4 relayed) | i64 expiry: nanoseconds left, -1 never | str topic | str publisher client id
 *                | u16 group count | groups: str share name, str filter | u16 node count | nodes: str node id
 *                | u16 property count | properties | u32 n | n payload bytes
 *   ACK     (3): i64 seq
 *   str: u16 n | n bytes of UTF-8;  property: u8 MQTT 5 id | value by the id's type
 *        (integers as i64, strings as str, binary as u32 n + n bytes, a user property as two str)
 * </pre>
 * The message's expiry travels as time left, since the nodes' monotonic clocks do not agree; the
 * publisher's client id travels for No Local. Topic Alias and Subscription Identifier are per
 * connection and never travel. The groups are the shared subscription groups the sending node chose one of
 * the receiver's members for (version 2; nodes of one cluster run one version); the nodes, those the publishing
 * node sent the message to for their ordinary subscriptions, and the relayed flag let a node a session just
 * moved from pass it on to the session's new node once (version 3, {@link RemoteNode.Targets}). Anything that does not fit (an unknown version, type or property, a
 * field running past its frame, bytes left over) is a {@link MalformedFrameException}.
 *
 * <p>Stateless apart from the clock, so shared by every link of a node.
 */
public final class LinkCodec {
    public static final int VERSION = 3;
    /** The largest frame: a PUBLISH of MQTT's largest payload (256 MB) plus room for its fields. */
    public static final int MAX_FRAME_BYTES = 268_435_455 + 1024 * 1024;
    static final int HELLO = 1;
    static final int PUBLISH = 2;
    static final int ACK = 3;
    private static final long NEVER = -1;
    /** PUBLISH flag: the receiver's ordinary subscriptions do not get the message (only the named groups). */
    private static final int NOT_ORDINARY = 8;
    /** PUBLISH flag: passed on by a node a session moved from, never to be passed on again. */
    private static final int RELAYED = 16;

    private final Clock clock;

    public LinkCodec(Clock clock) {
        this.clock = clock;
    }

    /** The frame with its length prefix, in a buffer from {@code alloc} that the caller owns. */
    public ByteBuf encode(ByteBufAllocator alloc, LinkFrame frame) {
        ByteBuf out = alloc.buffer(frame instanceof LinkFrame.Publish p ? 128 + p.message().payloadSize() : 64);
        try {
            out.writeInt(0); // the length, set below
            out.writeByte(VERSION);
            if (frame instanceof LinkFrame.Hello h) {
                out.writeByte(HELLO);
                writeString(out, h.node().name());
                out.writeLong(h.incarnation());
            } else if (frame instanceof LinkFrame.Publish p) {
                out.writeByte(PUBLISH);
                writePublish(out, p.seq(), p.message(), p.targets());
            } else {
                out.writeByte(ACK);
                out.writeLong(((LinkFrame.Ack) frame).seq());
            }
            out.setInt(0, out.readableBytes() - 4);
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    private void writePublish(ByteBuf out, long seq, Message m, RemoteNode.Targets targets) {
        out.writeLong(seq);
        out.writeByte(m.qos().value() | (m.retainFlag() ? 4 : 0) | (targets.ordinary() ? 0 : NOT_ORDINARY)
                | (targets.relayed() ? RELAYED : 0));
        out.writeLong(m.expiryAtNanos() == Message.NEVER_EXPIRES ? NEVER
                : Math.max(0, m.expiryAtNanos() - clock.nanoTime()));
        writeString(out, m.topic());
        writeString(out, m.publisherId());
        out.writeShort(targets.groups().size());
        for (TopicFilter.Shared g : targets.groups()) {
            writeString(out, g.group());
            writeString(out, g.filter());
        }
        out.writeShort(targets.sentTo().size());
        for (String node : targets.sentTo()) {
            writeString(out, node);
        }
        List<Property> kept = new ArrayList<>();
        for (Property p : m.properties().asList()) {
            if (p.id() != PropertyId.TOPIC_ALIAS && p.id() != PropertyId.SUBSCRIPTION_IDENTIFIER) {
                kept.add(p);
            }
        }
        out.writeShort(kept.size());
        for (Property p : kept) {
            out.writeByte(p.id().id());
            if (p instanceof Property.Number n) {
                out.writeLong(n.value());
            } else if (p instanceof Property.Text t) {
                writeString(out, t.value());
            } else if (p instanceof Property.Binary b) {
                out.writeInt(b.value().length);
                out.writeBytes(b.value());
            } else {
                Property.UserProperty u = (Property.UserProperty) p;
                writeString(out, u.name());
                writeString(out, u.value());
            }
        }
        ByteBuf payload = m.payload();
        out.writeInt(payload.readableBytes());
        out.writeBytes(payload, payload.readerIndex(), payload.readableBytes());
    }

    private static void writeString(ByteBuf out, String s) {
        int at = out.writerIndex();
        out.writeShort(0);
        int n = ByteBufUtil.writeUtf8(out, s);
        if (n > 0xFFFF) {
            throw new IllegalArgumentException("string of " + n + " bytes on a node link");
        }
        out.setShort(at, n);
    }

    /**
     * Reads one frame without its length prefix (as Netty's length-field decoder hands it over). The
     * caller keeps its reference to {@code in}; a {@link LinkFrame.Publish} owns a reference of its own
     * to its payload, a slice of {@code in}.
     */
    public LinkFrame decode(ByteBuf in) throws MalformedFrameException {
        try {
            int version = in.readUnsignedByte();
            if (version != VERSION) {
                throw new MalformedFrameException("link frame version " + version + ", this node speaks " + VERSION);
            }
            int type = in.readUnsignedByte();
            LinkFrame frame = switch (type) {
                case HELLO -> new LinkFrame.Hello(nodeId(readString(in)), in.readLong());
                case PUBLISH -> readPublish(in);
                case ACK -> new LinkFrame.Ack(in.readLong());
                default -> throw new MalformedFrameException("unknown link frame type " + type);
            };
            if (in.isReadable()) {
                if (frame instanceof LinkFrame.Publish p) {
                    p.message().release();
                }
                throw new MalformedFrameException(in.readableBytes() + " bytes after a link frame");
            }
            return frame;
        } catch (IndexOutOfBoundsException e) {
            throw new MalformedFrameException("link frame ends inside a field");
        }
    }

    private static NodeId nodeId(String name) throws MalformedFrameException {
        if (name.isEmpty()) {
            throw new MalformedFrameException("empty node id");
        }
        return new NodeId(name);
    }

    private LinkFrame.Publish readPublish(ByteBuf in) throws MalformedFrameException {
        long seq = in.readLong();
        int flags = in.readUnsignedByte();
        if ((flags & ~31) != 0 || (flags & 3) == 3) {
            throw new MalformedFrameException("PUBLISH flags " + flags);
        }
        QoS qos = QoS.of(flags & 3);
        long left = in.readLong();
        if (left < NEVER) {
            throw new MalformedFrameException("negative expiry " + left);
        }
        String topic = readString(in);
        String publisher = readString(in);
        int groupCount = in.readUnsignedShort();
        List<TopicFilter.Shared> groups = new ArrayList<>(groupCount);
        for (int i = 0; i < groupCount; i++) {
            String name = readString(in);
            String filter = readString(in);
            try {
                groups.add(new TopicFilter.Shared(name, filter));
            } catch (IllegalArgumentException e) {
                throw new MalformedFrameException("shared subscription group " + name + ": " + e.getMessage());
            }
        }
        int nodeCount = in.readUnsignedShort();
        List<String> sentTo = new ArrayList<>(nodeCount);
        for (int i = 0; i < nodeCount; i++) {
            String node = readString(in);
            if (node.isEmpty()) {
                throw new MalformedFrameException("empty node id");
            }
            sentTo.add(node);
        }
        boolean ordinary = (flags & NOT_ORDINARY) == 0;
        if (!ordinary && groups.isEmpty()) {
            throw new MalformedFrameException("PUBLISH for no subscription at all");
        }
        int count = in.readUnsignedShort();
        Properties.Builder properties = Properties.builder();
        for (int i = 0; i < count; i++) {
            properties.add(readProperty(in));
        }
        int size = in.readInt();
        if (size < 0 || size > in.readableBytes()) {
            throw new MalformedFrameException("payload of " + size + " bytes in " + in.readableBytes());
        }
        ByteBuf payload = in.readRetainedSlice(size);
        long expiryAt = left == NEVER ? Message.NEVER_EXPIRES : clock.nanoTime() + left;
        return new LinkFrame.Publish(seq, new Message(topic, qos, (flags & 4) != 0, payload, properties.build(),
                publisher, expiryAt), new RemoteNode.Targets(ordinary, groups, sentTo, (flags & RELAYED) != 0));
    }

    private static Property readProperty(ByteBuf in) throws MalformedFrameException {
        int code = in.readUnsignedByte();
        PropertyId id = PropertyId.of(code);
        if (id == null || !id.allowedIn(PacketType.PUBLISH) || id == PropertyId.TOPIC_ALIAS
                || id == PropertyId.SUBSCRIPTION_IDENTIFIER) {
            throw new MalformedFrameException("property " + code + " in a forwarded PUBLISH");
        }
        return switch (id.type()) {
            case BYTE, TWO_BYTE_INT, FOUR_BYTE_INT, VARIABLE_INT -> new Property.Number(id, in.readLong());
            case UTF8 -> new Property.Text(id, readString(in));
            case BINARY -> {
                int n = in.readInt();
                if (n < 0 || n > in.readableBytes()) {
                    throw new MalformedFrameException("binary property of " + n + " bytes");
                }
                byte[] value = new byte[n];
                in.readBytes(value);
                yield new Property.Binary(id, value);
            }
            case UTF8_PAIR -> new Property.UserProperty(readString(in), readString(in));
        };
    }

    private static String readString(ByteBuf in) {
        int n = in.readUnsignedShort();
        if (n > in.readableBytes()) {
            throw new IndexOutOfBoundsException();
        }
        return in.readCharSequence(n, StandardCharsets.UTF_8).toString();
    }
}
