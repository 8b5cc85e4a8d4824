package io.starling.broker.core.store;

import io.starling.broker.core.routing.Delivery;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.routing.SubscriberOptions;
import java.util.List;
import java.util.Map;

/**
 * Everything a store gives back at start-up.
 *
 * @param sessions persistent sessions, in no particular order
 * @param retained retained messages, one per topic
 */
public record StoredState(List<RestoredSession> sessions, List<Message> retained) {

    /**
     * One session as it was stored.
     *
     * @param subscriptions filters (shared ones with their {@code $share/} prefix) and their options
     * @param outgoing      its queue and inflight window, oldest first
     * @param incomingQos2  incoming QoS 2 messages awaiting PUBREL, by packet id
     * @param will          a will waiting for its delay, or null
     */
    public record RestoredSession(StoredSession header, Map<String, SubscriberOptions> subscriptions,
                                  List<Outgoing> outgoing, Map<Integer, Message> incomingQos2, Message will,
                                  long willAtMillis) {
        /** The same session with {@code will} (its reference taken over) instead of its own, sent at once. */
        public RestoredSession withWill(Message will) {
            return new RestoredSession(header, subscriptions, outgoing, incomingQos2, will, 0);
        }

        /** Releases the message references it holds (a session that is not taken in after all). */
        public void release() {
            for (Outgoing o : outgoing) {
                if (o.delivery() != null) {
                    o.delivery().message().release();
                }
            }
            incomingQos2.values().forEach(Message::release);
            if (will != null) {
                will.release();
            }
        }
    }

    /**
     * One entry of a session's queue.
     *
     * @param delivery null once PUBREC came (QoS 2 awaiting PUBCOMP); carries {@code seq} as its storeSeq,
     *                 and the packet id it took when it was queued (0 from a store written before ids were kept)
     * @param packetId 0 while still queued, else the id it went out with
     * @param share    the shared subscription the delivery came through ({@code $share/<group>/<filter>}), or
     *                 null: a delivery read from a store or received from another node has no group object
     *                 yet, the restoring node finds its own ({@link io.starling.broker.core.session.Session#restore})
     */
    public record Outgoing(long seq, Delivery delivery, int packetId, String share) {
        public Outgoing(long seq, Delivery delivery, int packetId) {
            this(seq, delivery, packetId, delivery == null ? null : shareOf(delivery));
        }

        public boolean isInflight() {
            return packetId != 0;
        }

        /** The {@code $share/<group>/<filter>} subscription {@code d} came through, or null. */
        public static String shareOf(Delivery d) {
            return d.share() == null ? null : "$share/" + d.share().name() + "/" + d.share().filter();
        }
    }
}
