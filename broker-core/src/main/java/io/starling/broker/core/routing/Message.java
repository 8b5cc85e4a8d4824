package io.starling.broker.core.routing;

import io.netty.buffer.ByteBuf;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.QoS;
import java.util.Objects;

/**
 * An application message as the broker routes it: immutable, shared by every delivery.
 *
 * <p>Ownership: the payload is reference-counted. Each holder (a queue entry, an inflight entry, the
 * retained store, a delivery in an outbox) owns one reference, taken with {@link #retain()} and
 * given back with {@link #release()}.
 *
 * <p>A durable store writes a message once however many sessions it is queued for, and remembers
 * under which id in {@link #storeId()}; the id is set once, on the publisher's loop, before the
 * message is handed to other loops.
 */
public final class Message {
    public static final long NEVER_EXPIRES = Long.MAX_VALUE;

    private final String topic;
    private final QoS qos;
    private final boolean retainFlag;
    private final ByteBuf payload;
    private final Properties properties;
    private final String publisherId;
    private final long expiryAtNanos;
    private long storeId;

    /**
     * @param retainFlag    the RETAIN flag it was published with
     * @param publisherId   the client id of the publisher (for No Local, and logs); empty for the broker
     * @param expiryAtNanos {@link #NEVER_EXPIRES} when the message never expires (MQTT 5 Message Expiry)
     */
    public Message(String topic, QoS qos, boolean retainFlag, ByteBuf payload, Properties properties,
                   String publisherId, long expiryAtNanos) {
        this.topic = Objects.requireNonNull(topic);
        this.qos = Objects.requireNonNull(qos);
        this.retainFlag = retainFlag;
        this.payload = Objects.requireNonNull(payload);
        this.properties = Objects.requireNonNull(properties);
        this.publisherId = Objects.requireNonNull(publisherId);
        this.expiryAtNanos = expiryAtNanos;
    }

    public String topic() {
        return topic;
    }

    public QoS qos() {
        return qos;
    }

    public boolean retainFlag() {
        return retainFlag;
    }

    public ByteBuf payload() {
        return payload;
    }

    public Properties properties() {
        return properties;
    }

    public String publisherId() {
        return publisherId;
    }

    public long expiryAtNanos() {
        return expiryAtNanos;
    }

    /** The id a durable store keeps this message under, or 0 while it is not stored. */
    public long storeId() {
        return storeId;
    }

    /** Set by a durable store when it first writes the message. */
    public void setStoreId(long id) {
        this.storeId = id;
    }

    /**
     * This message, or, when its payload is a small part of a much larger buffer, the same message
     * with a copy of the payload, so that keeping it does not keep the whole buffer. A decoded payload
     * is a slice of the socket read (tens of kilobytes): 5,000 one-byte retained messages once held
     * ~616 MB. Called where a message is kept (retained, queued, inflight for an offline session), never
     * on the way to an online subscriber. Takes over the caller's reference and returns one.
     */
    public Message compacted() {
        if (!wastesItsBuffer(payload)) {
            return this;
        }
        Message copy = new Message(topic, qos, retainFlag, payload.copy(), properties, publisherId, expiryAtNanos);
        copy.storeId = storeId;
        payload.release();
        return copy;
    }

    /** Whether the buffer under {@code payload} is larger than it by more than its own size (and 1 KB). */
    static boolean wastesItsBuffer(ByteBuf payload) {
        ByteBuf root = payload;
        for (ByteBuf under = root.unwrap(); under != null; under = under.unwrap()) {
            root = under; // through slices and leak-detector wrappers
        }
        int size = payload.readableBytes();
        return root.capacity() - size > Math.max(size, 1024);
    }

    public Message retain() {
        payload.retain();
        return this;
    }

    public void release() {
        payload.release();
    }

    public int payloadSize() {
        return payload.readableBytes();
    }

    @Override
    public String toString() {
        return "Message[" + topic + ", " + qos + (retainFlag ? ", retained" : "") + ", " + payloadSize() + " bytes]";
    }
}
