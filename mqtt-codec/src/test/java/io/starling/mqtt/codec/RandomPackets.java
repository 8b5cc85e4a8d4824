package io.starling.mqtt.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Random valid packets for one version: random (multi-byte) strings, properties allowed in the
 * packet, payloads of every size class. In {@code nettyCompatible} mode it stays inside what Netty's
 * codec accepts (no wildcards in PUBLISH topics, short ASCII client ids, CONNACK codes Netty knows).
 * A PUBLISH holds a pooled payload the caller must release.
 */
final class RandomPackets {
    private static final String[] PIECES = {
        "a", "b", "z", "/", "sensor", "temp", "0", "9", "-", "_", " ", "é", "ß", "ü", "€", "日本", "語",
        "\uD83D\uDE00", "\uD801\uDC37", "ÿ", "\u07FF", "\u0800", "\uFFFD", "$SYS", "~", "\u007F", "\u0080"
    };
    private static final int[] V5_CONNACK_CODES = {
        0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x8C, 0x90, 0x95, 0x97, 0x99,
        0x9A, 0x9B, 0x9C, 0x9D, 0x9F
    };

    private static final int[] V3_SUBACK_CODES = {0x00, 0x01, 0x02, 0x80};
    private static final int[] V5_SUBACK_CODES = {0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2};
    private static final int[] V5_UNSUBACK_CODES = {0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91};

    private final Random random;
    private final boolean nettyCompatible;

    RandomPackets(Random random, boolean nettyCompatible) {
        this.random = random;
        this.nettyCompatible = nettyCompatible;
    }

    /** Every packet type that exists in {@code v}. */
    static List<PacketType> typesOf(MqttVersion v) {
        List<PacketType> types = new ArrayList<>();
        for (PacketType t : PacketType.values()) {
            if (t != PacketType.RESERVED && (t != PacketType.AUTH || v.isV5())) {
                types.add(t);
            }
        }
        return types;
    }

    Packet next(PacketType type, MqttVersion v) {
        switch (type) {
            case CONNECT: return connect(v);
            case CONNACK: return new ConnAck(v != MqttVersion.MQTT_3_1 && random.nextBoolean(), connAckCode(v),
                    properties(type, v));
            case PUBLISH: return publish(v);
            case PUBACK: return new PubAck(packetId(), reason(v), properties(type, v));
            case PUBREC: return new PubRec(packetId(), reason(v), properties(type, v));
            case PUBREL: return new PubRel(packetId(), reason(v), properties(type, v));
            case PUBCOMP: return new PubComp(packetId(), reason(v), properties(type, v));
            case SUBSCRIBE: return subscribe(v);
            case SUBACK: return new SubAck(packetId(), codes(1 + random.nextInt(8),
                    v.isV5() ? V5_SUBACK_CODES : V3_SUBACK_CODES), properties(type, v));
            case UNSUBSCRIBE: return new Unsubscribe(packetId(), filters(), properties(type, v));
            case UNSUBACK: return new UnsubAck(packetId(), v.isV5() ? codes(1 + random.nextInt(8), V5_UNSUBACK_CODES)
                    : List.of(),
                    properties(type, v));
            case PINGREQ: return PingReq.INSTANCE;
            case PINGRESP: return PingResp.INSTANCE;
            case DISCONNECT: return new Disconnect(reason(v), properties(type, v));
            case AUTH: return new Auth(reason(v), properties(type, v));
            default: throw new IllegalArgumentException(type.toString());
        }
    }

    private Connect connect(MqttVersion v) {
        Will will = null;
        if (random.nextBoolean()) {
            will = new Will(topicName(), bytes(random.nextInt(4) == 0 ? 300 : 20),
                    QoS.of(random.nextInt(3)), random.nextBoolean(), willProperties(v));
        }
        String username = random.nextBoolean() ? string(20) : null;
        byte[] password = (username != null || v.isV5()) && random.nextBoolean() ? bytes(30) : null;
        String clientId = nettyCompatible ? "c" + Integer.toString(random.nextInt(1 << 30), 36) : string(23);
        return new Connect(v, clientId, random.nextBoolean(), random.nextInt(0x10000), username, password, will,
                properties(PacketType.CONNECT, v));
    }

    private Publish publish(MqttVersion v) {
        QoS qos = QoS.of(random.nextInt(3));
        int packetId = qos == QoS.AT_MOST_ONCE ? 0 : packetId();
        boolean dup = qos != QoS.AT_MOST_ONCE && random.nextBoolean();
        return new Publish(dup, qos, random.nextBoolean(), topicName(), packetId, properties(PacketType.PUBLISH, v),
                payload());
    }

    private Subscribe subscribe(MqttVersion v) {
        int n = 1 + random.nextInt(5);
        List<Subscription> subscriptions = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            QoS qos = QoS.of(random.nextInt(3));
            SubscriptionOptions options = v.isV5()
                    ? new SubscriptionOptions(qos, random.nextBoolean(), random.nextBoolean(), random.nextInt(3))
                    : SubscriptionOptions.of(qos);
            subscriptions.add(new Subscription(filter(), options));
        }
        return new Subscribe(packetId(), subscriptions, properties(PacketType.SUBSCRIBE, v));
    }

    private List<String> filters() {
        int n = 1 + random.nextInt(5);
        List<String> filters = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            filters.add(filter());
        }
        return filters;
    }

    int packetId() {
        return random.nextInt(4) == 0 ? (random.nextBoolean() ? 1 : 0xFFFF) : 1 + random.nextInt(0xFFFF);
    }

    private int reason(MqttVersion v) {
        return v.isV5() && random.nextBoolean() ? random.nextInt(256) : ReasonCode.SUCCESS;
    }

    private int connAckCode(MqttVersion v) {
        if (!v.isV5()) {
            return random.nextInt(6);
        }
        return nettyCompatible ? V5_CONNACK_CODES[random.nextInt(V5_CONNACK_CODES.length)] : random.nextInt(256);
    }

    /** Any byte, or in Netty mode one of {@code valid} (Netty refuses codes the spec does not define). */
    private List<Integer> codes(int n, int[] valid) {
        List<Integer> codes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            codes.add(nettyCompatible ? valid[random.nextInt(valid.length)] : random.nextInt(256));
        }
        return codes;
    }

    String topicName() {
        String s = string(30);
        if (nettyCompatible) {
            s = s.replace('+', 'p').replace('#', 'h');
        }
        return s.isEmpty() ? "t" : s;
    }

    private String filter() {
        switch (random.nextInt(4)) {
            case 0: return "#";
            case 1: return string(10) + "/+/" + string(10);
            default: return topicName();
        }
    }

    /** A string of random pieces, ASCII and multi-byte; sometimes long enough for a two-byte length. */
    String string(int maxPieces) {
        int pieces = random.nextInt(20) == 0 ? 100 + random.nextInt(200) : random.nextInt(maxPieces + 1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < pieces; i++) {
            sb.append(random.nextBoolean() ? PIECES[random.nextInt(4)] : PIECES[random.nextInt(PIECES.length)]);
        }
        return sb.toString();
    }

    byte[] bytes(int max) {
        byte[] bytes = new byte[random.nextInt(max + 1)];
        random.nextBytes(bytes);
        return bytes;
    }

    /** A payload of 0 bytes, a few, hundreds, or tens of thousands (three-byte remaining length). */
    ByteBuf payload() {
        int size;
        switch (random.nextInt(6)) {
            case 0: size = 0; break;
            case 1: size = 100 + random.nextInt(200); break;
            case 2: size = random.nextInt(20) == 0 ? 16_384 + random.nextInt(50_000) : random.nextInt(2000); break;
            default: size = random.nextInt(30); break;
        }
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        ByteBuf payload = PooledByteBufAllocator.DEFAULT.buffer(size);
        payload.writeBytes(bytes);
        return payload;
    }

    Properties properties(PacketType type, MqttVersion v) {
        return v.isV5() ? randomProperties(type, false) : Properties.EMPTY;
    }

    private Properties willProperties(MqttVersion v) {
        return v.isV5() ? randomProperties(PacketType.CONNECT, true) : Properties.EMPTY;
    }

    private Properties randomProperties(PacketType type, boolean will) {
        List<PropertyId> allowed = new ArrayList<>();
        for (PropertyId id : PropertyId.values()) {
            if (will ? id.allowedInWill() : id.allowedIn(type)) {
                allowed.add(id);
            }
        }
        int n = random.nextInt(3) == 0 ? 0 : random.nextInt(8);
        List<Property> list = new ArrayList<>(n);
        List<PropertyId> used = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            PropertyId id = allowed.get(random.nextInt(allowed.size()));
            boolean repeatable = id.repeatable() && !(id == PropertyId.SUBSCRIPTION_IDENTIFIER
                    && type == PacketType.SUBSCRIBE);
            if (used.contains(id) && !repeatable) {
                continue;
            }
            used.add(id);
            list.add(value(id));
        }
        if (nettyCompatible) {
            // Netty 4.1 stops reading properties early when their length takes two bytes and the last
            // one is two bytes long (an id and a one-byte value); see NettyOracleCrossCheckTest. Keep those first.
            list.sort(Comparator.comparing(p -> !isTwoBytesLong(p)));
        }
        return Properties.of(list);
    }

    private static boolean isTwoBytesLong(Property p) {
        return p.id().type() == PropertyId.Type.BYTE
                || p.id().type() == PropertyId.Type.VARIABLE_INT && ((Property.Number) p).value() < 0x80;
    }

    Property value(PropertyId id) {
        switch (id.type()) {
            case BYTE: return new Property.Number(id, random.nextInt(2));
            case TWO_BYTE_INT: return new Property.Number(id, 1 + random.nextInt(0xFFFF));
            case FOUR_BYTE_INT:
                return new Property.Number(id, random.nextBoolean() ? 1 + random.nextInt(1000)
                        : 1 + (random.nextLong() & 0xFFFF_FFFFL) % 0xFFFF_FFFFL);
            case VARIABLE_INT:
                int[] limits = {0x7F, 0x3FFF, 0x1F_FFFF, VariableByteInteger.MAX};
                return new Property.Number(id, 1 + random.nextInt(limits[random.nextInt(4)]));
            case UTF8: return new Property.Text(id, string(15));
            case BINARY: return new Property.Binary(id, bytes(40));
            case UTF8_PAIR: return new Property.UserProperty(string(8), string(8));
            default: throw new AssertionError(id);
        }
    }
}
