package io.starling.broker.store.rocksdb;

import io.starling.broker.core.routing.SubscriberOptions;
import io.starling.broker.core.store.LinkSequence;
import io.starling.broker.core.store.StoredSession;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.SubscriptionOptions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The values stored under the keys of {@link KeyLayout} (messages aside: {@link MessageCodec}).
 * Part of format version {@value KeyLayout#FORMAT_VERSION}; big-endian; fixed in {@code ValueLayoutTest}.
 *
 * <pre>
 * version       u32
 * session       hasUsername:u8 [usernameLength:u16 username] expirySeconds:u64 disconnectedAtMillis:u64
 *               [listenerPort:u16 [lastPacketId:u16]] (absent: unknown / 0, as written before they were kept)
 * subscription  options:u8 (the MQTT 5 SUBSCRIBE options byte, §3.8.3.1) subscriptionId:u32
 * outgoing      storeId:u64 qos:u8 retain:u8 idCount:u16 subscriptionId:u32... packetId:u16 released:u8
 *               [queuedPacketId:u16 [shareLength:u16 share]] (absent: 0 and none, as written before they were
 *               kept; share: the {@code $share/group/filter} subscription the message came through)
 * will          publishAtMillis:u64 message
 * linkSequence  incarnation:u64 seq:u64
 * </pre>
 *
 * <p>An outgoing entry in the queue has packet id 0 and the id it took when queued in
 * {@code queuedPacketId}; once sent, the packet id it went out with; once PUBREC came ({@code released}),
 * store id 0 because the message is no longer needed. The optional tails keep stores written before
 * them readable, and are ignored by a broker that predates them.
 */
final class ValueLayout {
    private ValueLayout() {
    }

    /** One decoded outgoing entry. */
    record OutgoingEntry(long storeId, QoS qos, boolean retain, List<Integer> subscriptionIds, int packetId,
                         boolean released, int queuedPacketId, String share) {
        OutgoingEntry(long storeId, QoS qos, boolean retain, List<Integer> subscriptionIds, int packetId,
                      boolean released, int queuedPacketId) {
            this(storeId, qos, retain, subscriptionIds, packetId, released, queuedPacketId, null);
        }

        OutgoingEntry(long storeId, QoS qos, boolean retain, List<Integer> subscriptionIds, int packetId,
                      boolean released) {
            this(storeId, qos, retain, subscriptionIds, packetId, released, 0);
        }
    }

    static byte[] version(int version) {
        return ByteBuffer.allocate(4).putInt(version).array();
    }

    static int readVersion(byte[] value) {
        return ByteBuffer.wrap(value).getInt();
    }

    static byte[] session(StoredSession s) {
        byte[] user = s.username() == null ? null : s.username().getBytes(StandardCharsets.UTF_8);
        boolean hasLastId = s.lastPacketId() > 0;
        boolean hasPort = s.listenerPort() > 0 || hasLastId;
        ByteBuffer b = ByteBuffer.allocate(1 + (user == null ? 0 : 2 + user.length) + 16 + (hasPort ? 2 : 0)
                + (hasLastId ? 2 : 0));
        if (user == null) {
            b.put((byte) 0);
        } else {
            b.put((byte) 1).putShort((short) user.length).put(user);
        }
        b.putLong(s.expiryIntervalSeconds()).putLong(s.disconnectedAtMillis());
        if (hasPort) {
            b.putShort((short) s.listenerPort());
        }
        if (hasLastId) {
            b.putShort((short) s.lastPacketId());
        }
        return b.array();
    }

    static StoredSession readSession(String clientId, byte[] value) {
        ByteBuffer b = ByteBuffer.wrap(value);
        String username = null;
        if (b.get() != 0) {
            byte[] user = new byte[b.getShort() & 0xFFFF];
            b.get(user);
            username = new String(user, StandardCharsets.UTF_8);
        }
        long expiry = b.getLong();
        long disconnectedAt = b.getLong();
        int listenerPort = b.remaining() >= 2 ? b.getShort() & 0xFFFF : 0;
        int lastPacketId = b.remaining() >= 2 ? b.getShort() & 0xFFFF : 0;
        return new StoredSession(clientId, username, expiry, disconnectedAt, listenerPort, lastPacketId);
    }

    static byte[] subscription(SubscriberOptions options) {
        return ByteBuffer.allocate(5).put((byte) optionsByte(options.options())).putInt(options.subscriptionId()).array();
    }

    static SubscriberOptions readSubscription(byte[] value) {
        ByteBuffer b = ByteBuffer.wrap(value);
        int options = b.get() & 0xFF;
        int qos = options & 0x03;
        int retainHandling = options >> 4 & 0x03;
        if (qos == 3 || retainHandling == 3 || (options & 0xC0) != 0) {
            throw new IllegalArgumentException(String.format("invalid subscription options byte 0x%02X", options));
        }
        return new SubscriberOptions(new SubscriptionOptions(QoS.of(qos), (options & 0x04) != 0,
                (options & 0x08) != 0, retainHandling), b.getInt());
    }

    static byte[] outgoing(OutgoingEntry e) {
        List<Integer> ids = e.subscriptionIds();
        byte[] share = e.share() == null ? null : e.share().getBytes(StandardCharsets.UTF_8);
        boolean hasQueuedId = e.queuedPacketId() != 0 || share != null;
        ByteBuffer b = ByteBuffer.allocate(8 + 1 + 1 + 2 + 4 * ids.size() + 2 + 1 + (hasQueuedId ? 2 : 0)
                        + (share == null ? 0 : 2 + share.length))
                .putLong(e.storeId()).put((byte) e.qos().value()).put((byte) (e.retain() ? 1 : 0))
                .putShort((short) ids.size());
        ids.forEach(b::putInt);
        b.putShort((short) e.packetId()).put((byte) (e.released() ? 1 : 0));
        if (hasQueuedId) {
            b.putShort((short) e.queuedPacketId());
        }
        if (share != null) {
            b.putShort((short) share.length).put(share);
        }
        return b.array();
    }

    static OutgoingEntry readOutgoing(byte[] value) {
        ByteBuffer b = ByteBuffer.wrap(value);
        long storeId = b.getLong();
        int qos = b.get() & 0xFF;
        if (qos > 2) {
            throw new IllegalArgumentException("invalid QoS " + qos);
        }
        boolean retain = b.get() != 0;
        int count = b.getShort() & 0xFFFF;
        List<Integer> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ids.add(b.getInt());
        }
        int packetId = b.getShort() & 0xFFFF;
        boolean released = b.get() != 0;
        int queuedPacketId = b.remaining() >= 2 ? b.getShort() & 0xFFFF : 0;
        String share = null;
        if (b.remaining() >= 2) {
            byte[] bytes = new byte[b.getShort() & 0xFFFF];
            b.get(bytes);
            share = new String(bytes, StandardCharsets.UTF_8);
        }
        return new OutgoingEntry(storeId, QoS.of(qos), retain, List.copyOf(ids), packetId, released, queuedPacketId,
                share);
    }

    static byte[] will(long publishAtMillis, byte[] message) {
        return ByteBuffer.allocate(8 + message.length).putLong(publishAtMillis).put(message).array();
    }

    static long willPublishAt(byte[] value) {
        return ByteBuffer.wrap(value).getLong();
    }

    static byte[] willMessage(byte[] value) {
        return Arrays.copyOfRange(value, 8, value.length);
    }

    static byte[] linkSequence(LinkSequence s) {
        return ByteBuffer.allocate(16).putLong(s.incarnation()).putLong(s.seq()).array();
    }

    static LinkSequence readLinkSequence(byte[] value) {
        ByteBuffer b = ByteBuffer.wrap(value);
        return new LinkSequence(b.getLong(), b.getLong());
    }

    private static int optionsByte(SubscriptionOptions o) {
        return o.qos().value() | (o.noLocal() ? 0x04 : 0) | (o.retainAsPublished() ? 0x08 : 0) | o.retainHandling() << 4;
    }
}
