package io.starling.broker.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocal;
import io.starling.mqtt.codec.MqttEncoder;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;

/**
 * The encoded header of a PUBLISH (fixed header and topic), shared by consecutive deliveries of one
 * message on one event loop: a message fanned out to many QoS 0 subscribers is encoded once per
 * form (version, retain flag), not once per subscriber (DESIGN.md, the data path, step 6).
 *
 * <p>A header depends only on the flags, the topic, the payload length, the version and the
 * properties, so a hit needs those equal: the same topic string, QoS 0 (no packet identifier) and
 * no properties. Anything else is encoded afresh. Threading: each event loop has its own last header.
 */
final class PublishHeaders {
    private static final FastThreadLocal<PublishHeaders> LAST = new FastThreadLocal<>() {
        @Override
        protected PublishHeaders initialValue() {
            return new PublishHeaders();
        }

        @Override
        protected void onRemoval(PublishHeaders last) {
            last.forget(); // the loop ends: its cached buffer goes back to the pool
        }
    };

    private String topic;
    private boolean retain;
    private int payloadLength;
    private MqttVersion version;
    private ByteBuf header;

    private PublishHeaders() {
    }

    /** The header of {@code p} for {@code version}: a buffer of the caller's to write (and so release). */
    static ByteBuf of(ByteBufAllocator alloc, Publish p, MqttVersion version) {
        if (p.qos() != QoS.AT_MOST_ONCE || !p.properties().isEmpty()) {
            return MqttEncoder.encodePublishHeader(alloc, p, version);
        }
        return LAST.get().qos0(alloc, p, version).retainedDuplicate();
    }

    /**
     * The whole of {@code p} for {@code version} in one new buffer of the caller's: the header (the shared
     * one when there is one), then a copy of the payload. For small payloads: see {@link ChannelConnection#write}.
     */
    static ByteBuf withPayloadCopy(ByteBufAllocator alloc, Publish p, MqttVersion version) {
        if (p.qos() != QoS.AT_MOST_ONCE || !p.properties().isEmpty()) {
            return MqttEncoder.encodePublishCopy(alloc, p, version);
        }
        ByteBuf header = LAST.get().qos0(alloc, p, version);
        ByteBuf payload = p.payload();
        return alloc.ioBuffer(header.readableBytes() + payload.readableBytes())
                .writeBytes(header, header.readerIndex(), header.readableBytes())
                .writeBytes(payload, payload.readerIndex(), payload.readableBytes());
    }

    /** The shared QoS 0 header, encoded afresh when {@code p} needs another; still this loop's. */
    private ByteBuf qos0(ByteBufAllocator alloc, Publish p, MqttVersion version) {
        int length = p.payload().readableBytes();
        if (header == null || p.topic() != topic || p.retain() != retain || length != payloadLength
                || version != this.version) {
            forget();
            header = MqttEncoder.encodePublishHeader(alloc, p, version);
            topic = p.topic();
            retain = p.retain();
            payloadLength = length;
            this.version = version;
        }
        return header;
    }

    private void forget() {
        if (header != null) {
            header.release();
            header = null;
            topic = null;
        }
    }
}
