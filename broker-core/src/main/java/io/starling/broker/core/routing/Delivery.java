package io.starling.broker.core.routing;

import io.starling.mqtt.codec.QoS;
import java.util.List;

/**
 * One message on its way to one subscriber: the message plus what differs per subscriber.
 *
 * @param qos             min(published QoS, granted QoS)
 * @param retain          the retain flag this subscriber sees
 * @param subscriptionIds MQTT 5 subscription identifiers of the matching subscriptions
 * @param share           the shared subscription group it came through, or null
 * @param storeSeq        its place in the session's durable queue, or 0 when it is not stored
 * @param packetId        the packet id the session gave it when it was queued there (QoS 1/2), or 0 before
 */
public record Delivery(Message message, QoS qos, boolean retain, List<Integer> subscriptionIds, ShareGroup share,
                       long storeSeq, int packetId) {
    public Delivery {
        subscriptionIds = subscriptionIds == null ? List.of() : subscriptionIds;
    }

    public Delivery(Message message, QoS qos, boolean retain, List<Integer> subscriptionIds, ShareGroup share,
                    long storeSeq) {
        this(message, qos, retain, subscriptionIds, share, storeSeq, 0);
    }

    public Delivery(Message message, QoS qos, boolean retain, List<Integer> subscriptionIds, ShareGroup share) {
        this(message, qos, retain, subscriptionIds, share, 0);
    }

    public Delivery(Message message, QoS qos, boolean retain, List<Integer> subscriptionIds) {
        this(message, qos, retain, subscriptionIds, null, 0);
    }

    /** This delivery with its message {@link Message#compacted() compacted}; takes over the message reference. */
    public Delivery compacted() {
        Message kept = message.compacted();
        return kept == message ? this : new Delivery(kept, qos, retain, subscriptionIds, share, storeSeq, packetId);
    }

    public Delivery withStoreSeq(long seq) {
        return new Delivery(message, qos, retain, subscriptionIds, share, seq, packetId);
    }

    public Delivery withPacketId(int id) {
        return new Delivery(message, qos, retain, subscriptionIds, share, storeSeq, id);
    }

    public boolean isStored() {
        return storeSeq != 0;
    }
}
