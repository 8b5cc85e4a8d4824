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
 * @param matchedAt       the subscription tree's generation when the subscription was matched
 *                        ({@link io.starling.broker.core.topic.SubscriptionTree#match}); a session
 *                        that unsubscribed after it checks the delivery still has a subscription
 *                        ({@link io.starling.broker.core.session.Session#deliver}). {@link #NOT_MATCHED}
 *                        for deliveries made on the session's own loop (retained on subscribe, a
 *                        share group's redelivery, a restored queue), which no UNSUBSCRIBE can overtake
 * @param subscription    for a copy per subscription (MQTT 5), the one subscription it came through: it
 *                        is sent after a later UNSUBSCRIBE only if that subscription is still there;
 *                        null for a delivery that stands for every matching subscription of its session
 */
public record Delivery(Message message, QoS qos, boolean retain, List<Integer> subscriptionIds, ShareGroup share,
                       long storeSeq, int packetId, long matchedAt, SubscriberOptions subscription) {
    /** {@link #matchedAt} of a delivery that needs no check against a later UNSUBSCRIBE. */
    public static final long NOT_MATCHED = Long.MAX_VALUE;

    public Delivery {
        subscriptionIds = subscriptionIds == null ? List.of() : subscriptionIds;
    }

    public Delivery(Message message, QoS qos, boolean retain, List<Integer> subscriptionIds, ShareGroup share,
                    long storeSeq, int packetId, long matchedAt) {
        this(message, qos, retain, subscriptionIds, share, storeSeq, packetId, matchedAt, null);
    }

    public Delivery(Message message, QoS qos, boolean retain, List<Integer> subscriptionIds, ShareGroup share,
                    long storeSeq) {
        this(message, qos, retain, subscriptionIds, share, storeSeq, 0, NOT_MATCHED);
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
        return kept == message ? this
                : new Delivery(kept, qos, retain, subscriptionIds, share, storeSeq, packetId, matchedAt, subscription);
    }

    /** This delivery as one that came through {@code group} (a restored delivery, once its group is found). */
    public Delivery withShare(ShareGroup group) {
        return new Delivery(message, qos, retain, subscriptionIds, group, storeSeq, packetId, matchedAt, subscription);
    }

    public Delivery withStoreSeq(long seq) {
        return new Delivery(message, qos, retain, subscriptionIds, share, seq, packetId, matchedAt, subscription);
    }

    public Delivery withPacketId(int id) {
        return new Delivery(message, qos, retain, subscriptionIds, share, storeSeq, id, matchedAt, subscription);
    }

    public Delivery withMatchedAt(long generation) {
        return new Delivery(message, qos, retain, subscriptionIds, share, storeSeq, packetId, generation, subscription);
    }

    public boolean isStored() {
        return storeSeq != 0;
    }
}
