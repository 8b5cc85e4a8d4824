package io.starling.broker.store.rocksdb;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.time.Clock;
import io.starling.mqtt.codec.DecodeResult;
import io.starling.mqtt.codec.MqttDecoder;
import io.starling.mqtt.codec.MqttEncoder;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A {@link Message} as bytes on disk (format version {@value KeyLayout#FORMAT_VERSION}):
 *
 * <pre>
 * format:u8 (= {@value #FORMAT}) publisherIdLength:u16 publisherId
 *     usernameLength:i32 (-1: none) username publisherListener:i32 (-1: not recorded)
 *     expiryAtMillis:i64 publish
 * </pre>
 *
 * The publisher's user name and listener are what {@code check_retain_source} checks again after a
 * restart. Format {@value #FORMAT_WITHOUT_SOURCE}, written before they were kept, has neither (it is
 * still read: such a message's publisher is not recorded).
 *
 * where {@code publish} is the message as an MQTT 5 PUBLISH packet made by our own {@link MqttEncoder}
 * (topic, QoS, RETAIN, properties, payload; packet id 1 when QoS &gt; 0, since one is required), so
 * that properties need no second encoding of their own.
 *
 * <p>Expiry: a message's expiry is a {@link Clock} reading, which means nothing after a restart, so it
 * is written as wall-clock epoch millis ({@value #NEVER} for never) and turned back into a clock
 * reading when read. A wall clock stepped while the broker was down shifts expiries by as much.
 *
 * <p>Ownership: {@link #encode} copies the payload and leaves the caller's references as they were;
 * {@link #decode} returns a message with one reference to a new unpooled heap buffer.
 */
final class MessageCodec {
    static final int FORMAT = 2;
    static final int FORMAT_WITHOUT_SOURCE = 1;
    private static final int NONE = -1;
    static final long NEVER = -1;

    private static final ByteBufAllocator HEAP = new UnpooledByteBufAllocator(false);
    private static final long NANOS_PER_MILLI = 1_000_000;

    private final Clock clock;

    MessageCodec(Clock clock) {
        this.clock = clock;
    }

    byte[] encode(Message m) {
        Publish publish = new Publish(false, m.qos(), m.retainFlag(), m.topic(), m.qos() == QoS.AT_MOST_ONCE ? 0 : 1,
                m.properties(), m.payload());
        ByteBuf packet = MqttEncoder.encode(HEAP, publish, MqttVersion.MQTT_5);
        try {
            byte[] publisher = m.publisherId().getBytes(StandardCharsets.UTF_8);
            byte[] username = m.publisherUsername() == null ? null : m.publisherUsername().getBytes(StandardCharsets.UTF_8);
            int usernameBytes = username == null ? 0 : username.length;
            ByteBuffer out = ByteBuffer.allocate(1 + 2 + publisher.length + 4 + usernameBytes + 4 + 8
                    + packet.readableBytes());
            out.put((byte) FORMAT).putShort((short) publisher.length).put(publisher);
            out.putInt(username == null ? NONE : username.length).put(username == null ? new byte[0] : username);
            out.putInt(m.publisherListener()).putLong(expiryMillis(m));
            packet.readBytes(out.array(), out.position(), packet.readableBytes());
            return out.array();
        } finally {
            packet.release();
        }
    }

    /** @throws IllegalArgumentException when {@code bytes} are not a message of this format */
    Message decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        int format = checkFormat(in);
        byte[] publisher = new byte[in.getShort() & 0xFFFF];
        in.get(publisher);
        String username = null;
        int listener = Message.NO_LISTENER;
        if (format == FORMAT) {
            int usernameLength = in.getInt();
            if (usernameLength != NONE) {
                byte[] name = new byte[usernameLength];
                in.get(name);
                username = new String(name, StandardCharsets.UTF_8);
            }
            listener = in.getInt();
        }
        long expiryMillis = in.getLong();
        MqttDecoder decoder = new MqttDecoder(MqttDecoder.MAX_PACKET_SIZE_LIMIT);
        decoder.setVersion(MqttVersion.MQTT_5);
        DecodeResult result = decoder.decode(Unpooled.wrappedBuffer(bytes, in.position(), in.remaining()));
        if (!(result instanceof Publish publish)) {
            throw new IllegalArgumentException("stored message is not a PUBLISH: " + result);
        }
        try {
            ByteBuf payload = Unpooled.buffer(publish.payload().readableBytes()).writeBytes(publish.payload());
            return new Message(publish.topic(), publish.qos(), publish.retain(), payload, publish.properties(),
                    new String(publisher, StandardCharsets.UTF_8), username, listener, expiryNanos(expiryMillis));
        } finally {
            publish.release();
        }
    }

    /** The expiry of an encoded message in wall-clock millis, or {@link #NEVER}, without decoding the rest. */
    static long expiryMillis(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        int format = checkFormat(in);
        int publisherLength = in.getShort() & 0xFFFF;
        in.position(in.position() + publisherLength);
        if (format == FORMAT) {
            int usernameLength = in.getInt();
            in.position(in.position() + Math.max(0, usernameLength) + 4); // the name, then the listener
        }
        return in.getLong();
    }

    static boolean isExpired(byte[] bytes, long nowMillis) {
        long expiry = expiryMillis(bytes);
        return expiry != NEVER && expiry <= nowMillis;
    }

    private long expiryMillis(Message m) {
        if (m.expiryAtNanos() == Message.NEVER_EXPIRES) {
            return NEVER;
        }
        return Math.max(0, System.currentTimeMillis() + (m.expiryAtNanos() - clock.nanoTime()) / NANOS_PER_MILLI);
    }

    private long expiryNanos(long expiryMillis) {
        if (expiryMillis == NEVER) {
            return Message.NEVER_EXPIRES;
        }
        return clock.nanoTime() + (expiryMillis - System.currentTimeMillis()) * NANOS_PER_MILLI;
    }

    private static int checkFormat(ByteBuffer in) {
        int format = in.get() & 0xFF;
        if (format != FORMAT && format != FORMAT_WITHOUT_SOURCE) {
            throw new IllegalArgumentException("unknown message format " + format);
        }
        return format;
    }
}
