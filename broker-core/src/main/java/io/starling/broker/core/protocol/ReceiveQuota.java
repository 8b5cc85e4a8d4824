package io.starling.broker.core.protocol;

/**
 * How many more QoS 1 and 2 PUBLISHes the broker takes from a client before it answers "Quota
 * exceeded" (0x97): its Receive Maximum ({@code max_inflight_messages}, announced in CONNACK) less the
 * QoS 2 messages it holds awaiting PUBREL.
 *
 * <p>Counted as mosquitto 2.0.11 counts it, since the count shows in the bytes a client gets (checked
 * with raw packets against Debian's mosquitto): a new QoS 1 or 2 message takes one; every PUBACK and
 * PUBCOMP the broker sends gives one back, a 5.0 PUBREC with an error code too, up to the maximum. So a
 * QoS 1 message nets nothing, a QoS 2 message holds one until its PUBCOMP, and a 5.0 client over its
 * quota finds every other QoS 2 message accepted (the 0x97 PUBREC gives one back). A 3.1.1 client
 * cannot be told: mosquitto acknowledges its message and drops it; Starling takes it (see
 * up to {@code max_held_qos2_bytes} of QoS 2 payload: {@code PublishHandler}), a listed difference. A reconnect
 * starts from the maximum less the messages the session still holds.
 *
 * <p>The specification leaves the broker's answer open (MQTT 5 §4.9 and MQTT-3.3.4-7 bind the client):
 * mosquitto's choice, rather than DISCONNECT 0x93, which Starling sent before issue 15.
 *
 * <p>Threading: the connection's event loop.
 */
final class ReceiveQuota {
    private final int maximum;
    private int available;

    /**
     * @param maximum the broker's Receive Maximum
     * @param held    the QoS 2 messages the session holds awaiting PUBREL
     */
    ReceiveQuota(int maximum, int held) {
        this.maximum = maximum;
        this.available = Math.max(0, maximum - held);
    }

    boolean exhausted() {
        return available == 0;
    }

    /** A new QoS 1 or 2 message was accepted. */
    void take() {
        if (available > 0) {
            available--;
        }
    }

    /** A PUBACK or PUBCOMP went out, or a 5.0 PUBREC with an error code. */
    void giveBack() {
        if (available < maximum) {
            available++;
        }
    }
}
