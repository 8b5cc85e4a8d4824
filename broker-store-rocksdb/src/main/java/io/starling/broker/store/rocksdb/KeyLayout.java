package io.starling.broker.store.rocksdb;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The keys of the store, format version {@value #FORMAT_VERSION}. Changing any of them changes the
 * format: bump the version (old stores are then refused, see {@link RocksSessionStore#open}) and the
 * golden bytes in {@code KeyLayoutTest}.
 *
 * <p>Every key is a one-byte kind, then for per-client kinds the client id as a u16 length and its
 * UTF-8 bytes, then the rest. Numbers are big-endian, so a client's entries sort by number and one
 * prefix scan ({@link #clientPrefix}) finds them; the length prefix keeps client "a" from being a
 * prefix of client "ab".
 *
 * <pre>
 * 'V'                      format version: u32
 * 'S' cid                  session header            (see {@link ValueLayout#session})
 * 'B' cid filter           subscription, filter as UTF-8 to the end of the key
 * 'O' cid seq:u64          queue / inflight entry    (see {@link ValueLayout#outgoing})
 * 'I' cid packetId:u16     incoming QoS 2 message awaiting PUBREL ({@link MessageCodec}); an empty value is an
 *                          entry written before issue 15 (the message was routed at PUBLISH then): dropped at load
 * 'W' cid                  delayed will: publishAtMillis:u64 then a {@link MessageCodec} message
 * 'M' storeId:u64          a message shared by queue entries ({@link MessageCodec})
 * 'R' topic                retained message by value ({@link MessageCodec}), topic as UTF-8 to the end
 * 'L' node                 cluster node link: the highest sequence routed from that origin node
 *                          ({@link ValueLayout#linkSequence}); node id length-prefixed as a client id
 * </pre>
 *
 * <p>'L' came after version 1 without a bump: a broker that predates it never reads it, and one that
 * has it finds none in an older store (nothing routed from a link was remembered then).
 */
final class KeyLayout {
    static final int FORMAT_VERSION = 1;

    static final byte VERSION = 'V';
    static final byte SESSION = 'S';
    static final byte SUBSCRIPTION = 'B';
    static final byte OUTGOING = 'O';
    static final byte INCOMING_QOS2 = 'I';
    static final byte WILL = 'W';
    static final byte MESSAGE = 'M';
    static final byte RETAINED = 'R';
    static final byte LINK_SEQUENCE = 'L';

    /** The kinds that belong to one client, all removed with its session. */
    static final byte[] CLIENT_KINDS = {SESSION, SUBSCRIPTION, OUTGOING, INCOMING_QOS2, WILL};

    private static final int MAX_CLIENT_ID_BYTES = 0xFFFF;

    private KeyLayout() {
    }

    static byte[] version() {
        return new byte[] {VERSION};
    }

    static byte[] session(String clientId) {
        return clientPrefix(SESSION, clientId);
    }

    static byte[] subscription(String clientId, String filter) {
        return withTail(clientPrefix(SUBSCRIPTION, clientId), filter.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] outgoing(String clientId, long seq) {
        return withTail(clientPrefix(OUTGOING, clientId), ByteBuffer.allocate(8).putLong(seq).array());
    }

    static byte[] incomingQos2(String clientId, int packetId) {
        return withTail(clientPrefix(INCOMING_QOS2, clientId), ByteBuffer.allocate(2).putShort((short) packetId).array());
    }

    static byte[] will(String clientId) {
        return clientPrefix(WILL, clientId);
    }

    static byte[] message(long storeId) {
        return ByteBuffer.allocate(9).put(MESSAGE).putLong(storeId).array();
    }

    static byte[] retained(String topic) {
        return withTail(new byte[] {RETAINED}, topic.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] linkSequence(String originNode) {
        return clientPrefix(LINK_SEQUENCE, originNode);
    }

    /** The kind byte and the length-prefixed client id: the prefix of all of a client's keys of that kind. */
    static byte[] clientPrefix(byte kind, String clientId) {
        byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
        if (id.length > MAX_CLIENT_ID_BYTES) {
            throw new IllegalArgumentException("id of " + id.length + " bytes is longer than a key allows");
        }
        return ByteBuffer.allocate(3 + id.length).put(kind).putShort((short) id.length).put(id).array();
    }

    /**
     * The smallest key greater than every key starting with {@code prefix}, as the exclusive end of a
     * range delete. Never called with an all-0xFF prefix (every prefix starts with a kind letter).
     */
    static byte[] endOf(byte[] prefix) {
        int i = prefix.length - 1;
        while (prefix[i] == (byte) 0xFF) {
            i--;
        }
        byte[] end = Arrays.copyOf(prefix, i + 1);
        end[i]++;
        return end;
    }

    static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    // ---- reading keys back (load) ----

    static byte kind(byte[] key) {
        return key[0];
    }

    /** The client id of a per-client key. */
    static String clientId(byte[] key) {
        return new String(key, 3, clientIdLength(key), StandardCharsets.UTF_8);
    }

    /** The filter of a {@link #SUBSCRIPTION} key. */
    static String filter(byte[] key) {
        int start = 3 + clientIdLength(key);
        return new String(key, start, key.length - start, StandardCharsets.UTF_8);
    }

    /** The seq of an {@link #OUTGOING} key. */
    static long seq(byte[] key) {
        return ByteBuffer.wrap(key, 3 + clientIdLength(key), 8).getLong();
    }

    /** The packet id of an {@link #INCOMING_QOS2} key. */
    static int packetId(byte[] key) {
        return ByteBuffer.wrap(key, 3 + clientIdLength(key), 2).getShort() & 0xFFFF;
    }

    /** The store id of a {@link #MESSAGE} key. */
    static long storeId(byte[] key) {
        return ByteBuffer.wrap(key, 1, 8).getLong();
    }

    /** The topic of a {@link #RETAINED} key. */
    static String topic(byte[] key) {
        return new String(key, 1, key.length - 1, StandardCharsets.UTF_8);
    }

    /** A key for a log line: its kind and what it names, or its bytes in hex when it is not one of ours. */
    static String describe(byte[] key) {
        try {
            switch (kind(key)) {
                case VERSION:
                    return "V";
                case MESSAGE:
                    return "M " + storeId(key);
                case RETAINED:
                    return "R " + topic(key);
                case SESSION:
                case SUBSCRIPTION:
                case OUTGOING:
                case INCOMING_QOS2:
                case WILL:
                    return (char) kind(key) + " of client " + clientId(key);
                case LINK_SEQUENCE:
                    return "L of node " + clientId(key);
                default:
                    break;
            }
        } catch (RuntimeException e) {
            // Not a key of ours after all: fall through to hex.
        }
        return HexFormat.of().formatHex(key);
    }

    private static int clientIdLength(byte[] key) {
        return (key[1] & 0xFF) << 8 | key[2] & 0xFF;
    }

    private static byte[] withTail(byte[] head, byte[] tail) {
        byte[] key = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, key, head.length, tail.length);
        return key;
    }
}
