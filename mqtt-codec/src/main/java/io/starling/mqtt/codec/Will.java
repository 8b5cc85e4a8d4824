package io.starling.mqtt.codec;

import java.util.Arrays;
import java.util.Objects;

/**
 * The will message of a CONNECT. Its payload is copied into an array: a will is read once per
 * connection and may outlive the read buffer by a long will delay, so pinning that buffer would cost
 * more than the copy.
 */
public record Will(String topic, byte[] payload, QoS qos, boolean retain, Properties properties) {
    public Will {
        Objects.requireNonNull(topic);
        Objects.requireNonNull(payload);
        Objects.requireNonNull(qos);
        Objects.requireNonNull(properties);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Will w && w.topic.equals(topic) && Arrays.equals(w.payload, payload)
                && w.qos == qos && w.retain == retain && w.properties.equals(properties);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, Arrays.hashCode(payload), qos, retain, properties);
    }
}
