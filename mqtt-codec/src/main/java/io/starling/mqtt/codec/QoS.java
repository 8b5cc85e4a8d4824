package io.starling.mqtt.codec;

/** Quality of service levels (MQTT 3.1.1 §4.3, 5.0 §4.3). */
public enum QoS {
    AT_MOST_ONCE,
    AT_LEAST_ONCE,
    EXACTLY_ONCE;

    private static final QoS[] BY_VALUE = values();

    public int value() {
        return ordinal();
    }

    /** Returns the QoS for a wire value 0..2; callers validate the range first. */
    public static QoS of(int value) {
        return BY_VALUE[value];
    }

    public static QoS min(QoS a, QoS b) {
        return a.ordinal() <= b.ordinal() ? a : b;
    }

    public static QoS max(QoS a, QoS b) {
        return a.ordinal() >= b.ordinal() ? a : b;
    }
}
