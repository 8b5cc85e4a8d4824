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
 * @param retainFlag     the RETAIN flag it was published with
 * @param publisherId    the client id of the publisher (for No Local, and logs); empty for the broker
 * @param expiryAtNanos  {@link Long#MAX_VALUE} when the message never expires (MQTT 5 Message Expiry)
 */
public record Message(String topic, QoS qos, boolean retainFlag, ByteBuf payload, Properties properties,
                      String publisherId, long expiryAtNanos) {
    public static final long NEVER_EXPIRES = Long.MAX_VALUE;

    public Message {
        Objects.requireNonNull(topic);
        Objects.requireNonNull(qos);
        Objects.requireNonNull(payload);
        Objects.requireNonNull(properties);
        Objects.requireNonNull(publisherId);
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
}
