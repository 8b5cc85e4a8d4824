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
        PublishHeaders last = LAST.get();
        if (!last.matches(p, version)) {
            last.remember(MqttEncoder.encodePublishHeader(alloc, p, version), p, version);
        }
        return last.header.retainedDuplicate();
    }

    /**
     * The whole of {@code p} for {@code version} in one new buffer of the caller's: the header, then a copy
     * of the payload. For small payloads: see {@link ChannelConnection#write}. A QoS 0 message met for the
     * first time is encoded once, straight into its buffer, whose header part is kept for the next
     * deliveries of the same message (a message with one subscriber, the usual fan-in, costs no more).
     */
    static ByteBuf withPayloadCopy(ByteBufAllocator alloc, Publish p, MqttVersion version) {
        if (p.qos() != QoS.AT_MOST_ONCE || !p.properties().isEmpty()) {
            return MqttEncoder.encodePublishCopy(alloc, p, version);
        }
        PublishHeaders last = LAST.get();
        ByteBuf payload = p.payload();
        int length = payload.readableBytes();
        if (!last.matches(p, version)) {
            ByteBuf whole = MqttEncoder.encodePublishCopy(alloc, p, version);
            last.remember(whole.retainedSlice(whole.readerIndex(), whole.readableBytes() - length), p, version);
            return whole;
        }
        ByteBuf header = last.header;
        return alloc.ioBuffer(header.readableBytes() + length)
                .writeBytes(header, header.readerIndex(), header.readableBytes())
                .writeBytes(payload, payload.readerIndex(), length);
    }

    /** Whether the kept header is {@code p}'s for {@code version}. */
    private boolean matches(Publish p, MqttVersion version) {
        return header != null && p.topic() == topic && p.retain() == retain
                && p.payload().readableBytes() == payloadLength && version == this.version;
    }

    /** Keeps {@code encoded} (taken) as the header of {@code p} for {@code version}, in place of the last one. */
    private void remember(ByteBuf encoded, Publish p, MqttVersion version) {
        forget();
        header = encoded;
        topic = p.topic();
        retain = p.retain();
        payloadLength = p.payload().readableBytes();
        this.version = version;
    }

    private void forget() {
        if (header != null) {
            header.release();
            header = null;
            topic = null;
        }
    }
}
