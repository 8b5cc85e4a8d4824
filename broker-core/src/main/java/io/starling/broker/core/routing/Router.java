package io.starling.broker.core.routing;

import io.netty.util.concurrent.FastThreadLocal;
import io.starling.broker.core.session.Session;
import io.starling.broker.core.topic.SubscriptionTree;
import io.starling.mqtt.codec.QoS;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;

/**
 * Finds the subscribers of a message and hands each one delivery.
 *
 * <p>One session with several matching subscriptions gets one delivery at the highest granted QoS
 * (MQTT-3.3.5-1), carrying every matching subscription identifier (MQTT-3.3.4-3/4/5). Deliveries to
 * sessions on another loop go through that loop's {@link LoopOutbox}. Threading: called on the
 * publisher's loop; the per-call scratch space is per thread.
 */
public final class Router {
    private final SubscriptionTree<Session, SubscriberOptions> tree;
    private final FastThreadLocal<Matches> scratch = new FastThreadLocal<>() {
        @Override
        protected Matches initialValue() {
            return new Matches();
        }
    };

    public Router(SubscriptionTree<Session, SubscriberOptions> tree) {
        this.tree = tree;
    }

    public SubscriptionTree<Session, SubscriberOptions> tree() {
        return tree;
    }

    /**
     * Routes {@code message} to every matching session. The caller keeps its own reference to the
     * message; each delivery takes one of its own. Returns the number of sessions it went to.
     */
    public int route(Message message) {
        Matches m = scratch.get();
        try {
            tree.match(message.topic(), (session, options) -> m.add(session, options, message));
            for (int i = 0; i < m.sessions.size(); i++) {
                Session session = m.sessions.get(i);
                Delivery d = new Delivery(message.retain(), m.qos.get(i), m.retain.get(i), m.ids.get(i));
                session.owner().deliver(session, d);
            }
            return m.sessions.size();
        } finally {
            m.clear();
        }
    }

    /** The merged matches of one route, one slot per session. */
    private static final class Matches {
        final List<Session> sessions = new ArrayList<>();
        final List<QoS> qos = new ArrayList<>();
        final List<Boolean> retain = new ArrayList<>();
        final List<List<Integer>> ids = new ArrayList<>();
        final IdentityHashMap<Session, Integer> index = new IdentityHashMap<>();

        void add(Session session, SubscriberOptions options, Message message) {
            if (options.options().noLocal() && session.clientId().equals(message.publisherId())) {
                return; // No Local (MQTT-3.8.3-3)
            }
            QoS granted = QoS.min(message.qos(), options.options().qos());
            boolean keepRetain = message.retainFlag() && options.options().retainAsPublished();
            Integer slot = index.get(session);
            if (slot == null) {
                index.put(session, sessions.size());
                sessions.add(session);
                qos.add(granted);
                retain.add(keepRetain);
                ids.add(options.subscriptionId() > 0 ? new ArrayList<>(List.of(options.subscriptionId())) : null);
                return;
            }
            qos.set(slot, QoS.max(qos.get(slot), granted));
            retain.set(slot, retain.get(slot) || keepRetain);
            if (options.subscriptionId() > 0) {
                List<Integer> list = ids.get(slot);
                if (list == null) {
                    list = new ArrayList<>(2);
                    ids.set(slot, list);
                }
                list.add(options.subscriptionId());
            }
        }

        void clear() {
            sessions.clear();
            qos.clear();
            retain.clear();
            ids.clear();
            index.clear();
        }
    }
}
