package io.starling.broker.cluster.takeover;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.starling.broker.cluster.link.LinkCodec;
import io.starling.broker.cluster.link.LinkFrame;
import io.starling.broker.cluster.link.MalformedFrameException;
import io.starling.broker.core.routing.Delivery;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.routing.SubscriberOptions;
import io.starling.broker.core.store.StoredSession;
import io.starling.broker.core.store.StoredState;
import io.starling.broker.core.time.Clock;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.SubscriptionOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bytes of a {@link TakeoverMessage}, big-endian:
 * <pre>
 *   u8 version (3; 2 is read too) | u8 type | str client id | i64 epoch | body
 *   REQUEST (1): nothing
 *   STATE   (2): u8 present | when 1: session
 *   session:      u8 hasUser [str user] | i64 expiry seconds | i64 disconnected at (ms) | u16 listener port
 *                 | u16 last packet id | u32 n | n subscriptions | u32 n | n outgoing | u32 n | n incoming
 *                 | u8 hasWill [message]
 *   subscription: str filter | u8 MQTT 5 options byte | u32 subscription id
 *   outgoing:     u16 packet id (0: queued) | u8 hasDelivery (0: QoS 2 past PUBREC)
 *                 [u8 QoS | u8 retain | u16 delivery packet id | u16 n | n u32 subscription ids
 *                 | u8 hasShare [str share] | message]   (version 2: no hasShare nor share)
 *   incoming:     u16 packet id | message
 *   message:      u32 n | a node link PUBLISH frame of n bytes ({@link LinkCodec}: topic, QoS, retain,
 *                 properties, publisher, expiry as time left, payload)
 *   str: u16 n | n bytes of UTF-8
 * </pre>
 * The session's fields are those the store keeps ({@link StoredState.RestoredSession}), and a message is
 * written as the node links write it, so one place knows how a message crosses nodes. The will is that of
 * the connection taken over, without delay, as a message: the new node sends it or not as one node would
 * (it depends on the new CONNECT's Clean Start); a delayed will is discarded by the takeover and never moves.
 * A delivery's share is the {@code $share/group/filter} subscription it came through: the new node hands it
 * to another member of that group when the session ends there, as this node would have.
 */
final class TakeoverCodec {
    static final int VERSION = 3;
    /** The version before shares were kept: still read, from a node not yet upgraded. */
    private static final int WITHOUT_SHARES = 2;
    private static final int REQUEST = 1;
    private static final int STATE = 2;

    private final LinkCodec messages;

    TakeoverCodec(Clock clock) {
        this.messages = new LinkCodec(clock);
    }

    byte[] encode(TakeoverMessage m) {
        ByteBuf out = Unpooled.buffer(256);
        try {
            out.writeByte(VERSION);
            out.writeByte(m instanceof TakeoverMessage.Request ? REQUEST : STATE);
            writeString(out, m.clientId());
            out.writeLong(m.epoch());
            if (m instanceof TakeoverMessage.State s) {
                out.writeByte(s.session() == null ? 0 : 1);
                if (s.session() != null) {
                    writeSession(out, s.session());
                }
            }
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }

    private void writeSession(ByteBuf out, StoredState.RestoredSession s) {
        StoredSession h = s.header();
        out.writeByte(h.username() == null ? 0 : 1);
        if (h.username() != null) {
            writeString(out, h.username());
        }
        out.writeLong(h.expiryIntervalSeconds());
        out.writeLong(h.disconnectedAtMillis());
        out.writeShort(h.listenerPort());
        out.writeShort(h.lastPacketId());
        out.writeInt(s.subscriptions().size());
        s.subscriptions().forEach((filter, o) -> {
            writeString(out, filter);
            SubscriptionOptions so = o.options();
            out.writeByte(so.qos().value() | (so.noLocal() ? 0x04 : 0) | (so.retainAsPublished() ? 0x08 : 0)
                    | so.retainHandling() << 4);
            out.writeInt(o.subscriptionId());
        });
        out.writeInt(s.outgoing().size());
        for (StoredState.Outgoing o : s.outgoing()) {
            out.writeShort(o.packetId());
            Delivery d = o.delivery();
            out.writeByte(d == null ? 0 : 1);
            if (d != null) {
                out.writeByte(d.qos().value());
                out.writeByte(d.retain() ? 1 : 0);
                out.writeShort(d.packetId());
                out.writeShort(d.subscriptionIds().size());
                d.subscriptionIds().forEach(out::writeInt);
                String share = o.share();
                out.writeByte(share == null ? 0 : 1);
                if (share != null) {
                    writeString(out, share);
                }
                writeMessage(out, d.message());
            }
        }
        out.writeInt(s.incomingQos2().size());
        s.incomingQos2().forEach((id, message) -> {
            out.writeShort(id);
            writeMessage(out, message);
        });
        out.writeByte(s.will() == null ? 0 : 1);
        if (s.will() != null) {
            writeMessage(out, s.will());
        }
    }

    private void writeMessage(ByteBuf out, Message m) {
        ByteBuf frame = messages.encode(UnpooledByteBufAllocator.DEFAULT, new LinkFrame.Publish(LinkFrame.Publish.UNSEQUENCED, m));
        try {
            out.writeInt(frame.readableBytes());
            out.writeBytes(frame);
        } finally {
            frame.release();
        }
    }

    /** Reads one message; a {@link TakeoverMessage.State} owns the references of its messages. */
    TakeoverMessage decode(byte[] bytes) throws MalformedFrameException {
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        List<Message> read = new ArrayList<>();
        try {
            int version = in.readUnsignedByte();
            if (version != VERSION && version != WITHOUT_SHARES) {
                throw new MalformedFrameException("takeover message version " + version + ", this node speaks " + VERSION);
            }
            int type = in.readUnsignedByte();
            String clientId = readString(in);
            long epoch = in.readLong();
            TakeoverMessage m = switch (type) {
                case REQUEST -> new TakeoverMessage.Request(clientId, epoch);
                case STATE -> new TakeoverMessage.State(clientId, epoch,
                        in.readUnsignedByte() == 0 ? null : readSession(in, clientId, version, read));
                default -> throw new MalformedFrameException("unknown takeover message type " + type);
            };
            if (in.isReadable()) {
                throw new MalformedFrameException(in.readableBytes() + " bytes after a takeover message");
            }
            read.clear(); // handed over with the message
            return m;
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            throw new MalformedFrameException("takeover message: " + e.getMessage());
        } finally {
            read.forEach(Message::release); // only when it could not be read
            in.release();
        }
    }

    private StoredState.RestoredSession readSession(ByteBuf in, String clientId, int version, List<Message> read)
            throws MalformedFrameException {
        String username = in.readUnsignedByte() == 0 ? null : readString(in);
        StoredSession header = new StoredSession(clientId, username, in.readLong(), in.readLong(),
                in.readUnsignedShort(), in.readUnsignedShort());
        Map<String, SubscriberOptions> subscriptions = new LinkedHashMap<>();
        for (int i = count(in); i > 0; i--) {
            String filter = readString(in);
            int o = in.readUnsignedByte();
            if ((o & 3) == 3 || (o >> 4 & 3) == 3 || (o & 0xC0) != 0) {
                throw new MalformedFrameException(String.format("subscription options byte 0x%02X", o));
            }
            subscriptions.put(filter, new SubscriberOptions(new SubscriptionOptions(QoS.of(o & 3), (o & 0x04) != 0,
                    (o & 0x08) != 0, o >> 4 & 3), in.readInt()));
        }
        List<StoredState.Outgoing> outgoing = new ArrayList<>();
        for (int i = count(in); i > 0; i--) {
            int packetId = in.readUnsignedShort();
            Delivery d = null;
            String share = null;
            if (in.readUnsignedByte() != 0) {
                int qos = in.readUnsignedByte();
                if (qos > 2) {
                    throw new MalformedFrameException("QoS " + qos);
                }
                boolean retain = in.readUnsignedByte() != 0;
                int deliveryPacketId = in.readUnsignedShort();
                List<Integer> ids = new ArrayList<>();
                for (int n = in.readUnsignedShort(); n > 0; n--) {
                    ids.add(in.readInt());
                }
                if (version != WITHOUT_SHARES && in.readUnsignedByte() != 0) {
                    share = readString(in);
                }
                Message m = readMessage(in, read);
                d = new Delivery(m, QoS.of(qos), retain, List.copyOf(ids), null, 0, deliveryPacketId,
                        Delivery.NOT_MATCHED);
            }
            outgoing.add(new StoredState.Outgoing(0, d, packetId, share));
        }
        Map<Integer, Message> incoming = new LinkedHashMap<>();
        for (int i = count(in); i > 0; i--) {
            int id = in.readUnsignedShort();
            incoming.put(id, readMessage(in, read));
        }
        Message will = in.readUnsignedByte() == 0 ? null : readMessage(in, read);
        return new StoredState.RestoredSession(header, subscriptions, outgoing, incoming, will, 0);
    }

    private Message readMessage(ByteBuf in, List<Message> read) throws MalformedFrameException {
        int n = count(in);
        ByteBuf frame = in.readSlice(n);
        frame.skipBytes(4); // the link frame's own length
        LinkFrame f = messages.decode(frame);
        if (!(f instanceof LinkFrame.Publish p)) {
            throw new MalformedFrameException("not a message: " + f);
        }
        Message m = p.message().compacted(); // its own bytes, not a slice of the whole state
        read.add(m);
        return m;
    }

    private static int count(ByteBuf in) throws MalformedFrameException {
        int n = in.readInt();
        if (n < 0 || n > in.readableBytes()) {
            throw new MalformedFrameException("count " + n + " with " + in.readableBytes() + " bytes left");
        }
        return n;
    }

    private static void writeString(ByteBuf out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > 0xFFFF) {
            throw new IllegalArgumentException("string of " + b.length + " bytes");
        }
        out.writeShort(b.length);
        out.writeBytes(b);
    }

    private static String readString(ByteBuf in) {
        int n = in.readUnsignedShort();
        if (n > in.readableBytes()) {
            throw new IndexOutOfBoundsException("string runs past the end");
        }
        return in.readCharSequence(n, StandardCharsets.UTF_8).toString();
    }

}
