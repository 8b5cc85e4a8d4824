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
 * <p>A session with several matching subscriptions gets, as from mosquitto 2.0: over MQTT 5 one
 * delivery per subscription, each with its own QoS, options and subscription identifier, in the
 * order the tree visits them (MQTT 5 §3.3.4 allows it); over MQTT 3.1.1 one delivery at the highest
 * granted QoS (MQTT-3.3.5-1; mosquitto sends the first match's, a listed difference). Deliveries to
 * sessions on another loop go through that loop's {@link LoopOutbox}. A shared subscription gives
 * one delivery to one member of its group, apart from the member's own subscriptions (MQTT 5 §4.8.2).
 *
 * <p>A {@link RemoteNode} (another broker of a cluster) gets the message once, as published, however
 * many of its filters match: it does the per-session work (QoS, No Local, subscription ids) itself.
 * A message that came from another node is routed with {@link #routeLocal}, to this node's sessions
 * only, so that a message never travels further than one hop.
 *
 * <p>Threading: called on the publisher's loop; the per-call scratch space is per thread.
 */
public final class Router {
    private final SubscriptionTree<Subscriber, SubscriberOptions> tree;
    private final FastThreadLocal<Matches> scratch = new FastThreadLocal<>() {
        @Override
        protected Matches initialValue() {
            return new Matches();
        }
    };

    /** Read per message: a reload (SIGHUP) may change upgrade_outgoing_qos, as in mosquitto. */
    private final java.util.function.BooleanSupplier upgradeOutgoingQos;

    public Router(SubscriptionTree<Subscriber, SubscriberOptions> tree) {
        this(tree, false);
    }

    /** @param upgradeOutgoingQos deliver at the granted QoS even above the published one (mosquitto's option) */
    public Router(SubscriptionTree<Subscriber, SubscriberOptions> tree, boolean upgradeOutgoingQos) {
        this(tree, () -> upgradeOutgoingQos);
    }

    /** @param upgradeOutgoingQos whether to deliver at the granted QoS, asked per message */
    public Router(SubscriptionTree<Subscriber, SubscriberOptions> tree, java.util.function.BooleanSupplier upgradeOutgoingQos) {
        this.tree = tree;
        this.upgradeOutgoingQos = upgradeOutgoingQos;
    }

    public SubscriptionTree<Subscriber, SubscriberOptions> tree() {
        return tree;
    }

    /**
     * Routes {@code message} to every matching session whose ACL lets it read it. The
     * caller keeps its own reference to the message; each delivery takes one of its own.
     *
     * @return whether any subscription matched the topic, whether or not a delivery followed: the
     *         publisher's own No Local subscription and a reader the ACL denies count as matches, as do
     *         shared subscriptions and offline sessions. This is mosquitto's test for PUBACK 0x10 "No
     *         matching subscribers" (subs__process in its subs.c: a topic node with any subscriber).
     *         A remote node's filter counts too.
     */
    public boolean route(Message message) {
        return route(message, true);
    }

    /**
     * Routes a message that another node forwarded to this node's sessions only, never to a
     * {@link RemoteNode}: each node forwards what its own clients publish, so nothing travels twice.
     *
     * @return whether any local subscription matched
     */
    public boolean routeLocal(Message message) {
        return route(message, false);
    }

    private boolean route(Message message, boolean toRemoteNodes) {
        Matches m = scratch.get();
        m.toRemoteNodes = toRemoteNodes;
        boolean upgrade = upgradeOutgoingQos.getAsBoolean();
        try {
            long matchedAt = tree.match(message.topic(),
                    (subscriber, options) -> m.add(subscriber, options, message, upgrade));
            for (int i = 0; i < m.sessions.size(); i++) {
                Session session = m.sessions.get(i);
                if (!session.mayRead(message.topic())) {
                    continue; // the ACL is checked per message, as mosquitto does
                }
                // Stored (for a session on disk) before it leaves this loop, so the publisher's ack can wait for it.
                Delivery d = session.stored(new Delivery(message.retain(), m.qos.get(i), m.retain.get(i), m.ids.get(i),
                        m.shares.get(i), 0, 0, matchedAt, m.via.get(i)));
                session.owner().deliver(session, d);
            }
            for (int i = 0; i < m.nodes.size(); i++) {
                m.nodes.get(i).forward(message);
            }
            return m.matched;
        } finally {
            m.clear();
        }
    }

    /** The matches of one route: one slot per session, or per subscription for a session that takes copies. */
    private static final class Matches {
        final List<Session> sessions = new ArrayList<>();
        final List<QoS> qos = new ArrayList<>();
        final List<Boolean> retain = new ArrayList<>();
        final List<List<Integer>> ids = new ArrayList<>();
        final List<ShareGroup> shares = new ArrayList<>();
        /** The subscription of a copy per subscription; null for a merged or shared delivery. */
        final List<SubscriberOptions> via = new ArrayList<>();
        /** Where the merged delivery of each session that takes one is (MQTT 3.1.1); copies are never merged. */
        final IdentityHashMap<Session, Integer> index = new IdentityHashMap<>();
        /** The remote nodes to forward to, each once; a node has one entry per matching filter in the tree. */
        final List<RemoteNode> nodes = new ArrayList<>();
        boolean toRemoteNodes;
        boolean matched;

        void add(Subscriber subscriber, SubscriberOptions options, Message message, boolean upgrade) {
            if (subscriber instanceof RemoteNode node) {
                if (toRemoteNodes) {
                    matched = true;
                    if (!containsNode(node)) {
                        nodes.add(node);
                    }
                }
                return;
            }
            matched = true;
            if (subscriber instanceof ShareGroup group) {
                ShareGroup.Member member = group.pick(null);
                if (member != null) {
                    SubscriberOptions o = member.options();
                    append(member.session(), QoS.min(message.qos(), o.options().qos()), false,
                            o.subscriptionId() > 0 ? new ArrayList<>(List.of(o.subscriptionId())) : null, group, null);
                }
                return;
            }
            Session session = (Session) subscriber;
            if (options.options().noLocal() && session.clientId().equals(message.publisherId())) {
                return; // No Local (MQTT-3.8.3-3)
            }
            QoS granted = upgrade ? options.options().qos() : QoS.min(message.qos(), options.options().qos());
            boolean keepRetain = message.retainFlag() && options.options().retainAsPublished();
            List<Integer> id = options.subscriptionId() > 0 ? new ArrayList<>(List.of(options.subscriptionId())) : null;
            if (session.getsCopyPerSubscription()) {
                append(session, granted, keepRetain, id, null, options);
                return;
            }
            Integer slot = index.get(session);
            if (slot == null) {
                index.put(session, sessions.size());
                append(session, granted, keepRetain, id, null, null);
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

        /** By identity, in a list: a message matches few nodes, fewer than a hash set pays off for. */
        private boolean containsNode(RemoteNode node) {
            for (int i = 0; i < nodes.size(); i++) {
                if (nodes.get(i) == node) {
                    return true;
                }
            }
            return false;
        }

        void append(Session session, QoS granted, boolean keepRetain, List<Integer> subscriptionIds, ShareGroup share,
                    SubscriberOptions subscription) {
            sessions.add(session);
            via.add(subscription);
            qos.add(granted);
            retain.add(keepRetain);
            ids.add(subscriptionIds);
            shares.add(share);
        }

        void clear() {
            matched = false;
            nodes.clear();
            shares.clear();
            via.clear();
            sessions.clear();
            qos.clear();
            retain.clear();
            ids.clear();
            index.clear();
        }
    }
}
