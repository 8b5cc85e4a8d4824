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
    /** {@link #publisherListener()} of a message whose listener was not recorded (the broker's, or stored by an older version). */
    public static final int NO_LISTENER = -1;

    private final String topic;
    private final QoS qos;
    private final boolean retainFlag;
    private final ByteBuf payload;
    private final Properties properties;
    private final String publisherId;
    private final String publisherUsername;
    private final int publisherListener;
    private final long expiryAtNanos;
    private long storeId;

    /**
     * @param retainFlag    the RETAIN flag it was published with
     * @param publisherId   the client id of the publisher (for No Local, and logs); empty for the broker
     * @param expiryAtNanos {@link #NEVER_EXPIRES} when the message never expires (MQTT 5 Message Expiry)
     */
    public Message(String topic, QoS qos, boolean retainFlag, ByteBuf payload, Properties properties,
                   String publisherId, long expiryAtNanos) {
        this(topic, qos, retainFlag, payload, properties, publisherId, null, NO_LISTENER, expiryAtNanos);
    }

    /**
     * A client's message, with what {@code check_retain_source} needs to check its publisher again
     * when it is sent as a retained message later (kept with it in the store).
     *
     * @param publisherUsername the publisher's user name, null when it had none
     * @param publisherListener the port of the listener it came through, or {@link #NO_LISTENER}
     */
    public Message(String topic, QoS qos, boolean retainFlag, ByteBuf payload, Properties properties,
                   String publisherId, String publisherUsername, int publisherListener, long expiryAtNanos) {
        this.topic = Objects.requireNonNull(topic);
        this.qos = Objects.requireNonNull(qos);
        this.retainFlag = retainFlag;
        this.payload = Objects.requireNonNull(payload);
        this.properties = Objects.requireNonNull(properties);
        this.publisherId = Objects.requireNonNull(publisherId);
        this.publisherUsername = publisherUsername;
        this.publisherListener = publisherListener;
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

    /** The publisher's user name; null for an anonymous client, the broker, or when not recorded. */
    public String publisherUsername() {
        return publisherUsername;
    }

    /** The port of the listener the publisher came through, or {@link #NO_LISTENER}. */
    public int publisherListener() {
        return publisherListener;
    }

    /** Whether the publisher is known well enough to check its write access again (check_retain_source). */
    public boolean hasRecordedPublisher() {
        return !publisherId.isEmpty() && publisherListener != NO_LISTENER;
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
        Message copy = new Message(topic, qos, retainFlag, payload.copy(), properties, publisherId, publisherUsername,
                publisherListener, expiryAtNanos);
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
