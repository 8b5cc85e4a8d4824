package io.starling.broker.cluster.retained;

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
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * A retained {@link Message} in a Raft command or snapshot:
 *
 * <pre>
 * publisherId:utf usernamePresent:bool [username:utf] publisherListener:i32 expiryAtMillis:i64 (-1: never)
 *     publishLength:i32 publish
 * </pre>
 *
 * where {@code publish} is the message as an MQTT 5 PUBLISH packet of our own {@link MqttEncoder}
 * (topic, QoS, RETAIN, properties, payload), as broker-store-rocksdb's {@code MessageCodec} keeps it on
 * disk, so that properties need no encoding of their own.
 *
 * <p>Expiry: a message's expiry is a reading of one node's {@link Clock}, which means nothing on
 * another node, so it travels as wall-clock epoch millis and becomes a clock reading on each node when
 * applied. Nodes' wall clocks differ by as much as their expiries do.
 *
 * <p>Ownership: {@link #write} copies the payload and leaves the caller's references as they were;
 * {@link #read} returns a message with one reference to a new buffer of {@code allocator}.
 */
final class RetainedCodec {
    private static final ByteBufAllocator HEAP = new UnpooledByteBufAllocator(false);
    private static final long NEVER = -1;
    private static final long NANOS_PER_MILLI = 1_000_000;

    private final Clock clock;
    private final ByteBufAllocator allocator;

    RetainedCodec(Clock clock, ByteBufAllocator allocator) {
        this.clock = clock;
        this.allocator = allocator;
    }

    void write(Message m, DataOutput out) throws IOException {
        Publish publish = new Publish(false, m.qos(), true, m.topic(), m.qos() == QoS.AT_MOST_ONCE ? 0 : 1,
                m.properties(), m.payload());
        ByteBuf packet = MqttEncoder.encode(HEAP, publish, MqttVersion.MQTT_5);
        try {
            out.writeUTF(m.publisherId());
            out.writeBoolean(m.publisherUsername() != null);
            if (m.publisherUsername() != null) {
                out.writeUTF(m.publisherUsername());
            }
            out.writeInt(m.publisherListener());
            out.writeLong(m.expiryAtNanos() == Message.NEVER_EXPIRES ? NEVER
                    : Math.max(0, clock.currentTimeMillis() + (m.expiryAtNanos() - clock.nanoTime()) / NANOS_PER_MILLI));
            byte[] bytes = new byte[packet.readableBytes()];
            packet.readBytes(bytes);
            out.writeInt(bytes.length);
            out.write(bytes);
        } finally {
            packet.release();
        }
    }

    Message read(DataInput in) throws IOException {
        String publisherId = in.readUTF();
        String username = in.readBoolean() ? in.readUTF() : null;
        int listener = in.readInt();
        long expiryMillis = in.readLong();
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        MqttDecoder decoder = new MqttDecoder(MqttDecoder.MAX_PACKET_SIZE_LIMIT);
        decoder.setVersion(MqttVersion.MQTT_5);
        DecodeResult result = decoder.decode(Unpooled.wrappedBuffer(bytes));
        if (!(result instanceof Publish publish)) {
            throw new IOException("a retained message that is not a PUBLISH: " + result);
        }
        try {
            ByteBuf payload = allocator.heapBuffer(publish.payload().readableBytes()).writeBytes(publish.payload());
            long expiry = expiryMillis == NEVER ? Message.NEVER_EXPIRES
                    : clock.nanoTime() + (expiryMillis - clock.currentTimeMillis()) * NANOS_PER_MILLI;
            return new Message(publish.topic(), publish.qos(), true, payload, publish.properties(), publisherId,
                    username, listener, expiry);
        } finally {
            publish.release();
        }
    }
}
