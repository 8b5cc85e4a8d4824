package io.starling.broker.core.routing;

import io.netty.util.concurrent.FastThreadLocal;
import io.starling.broker.core.RateLimitedLog;
import io.starling.broker.core.session.Session;
import io.starling.broker.core.topic.SubscriptionTree;
import io.starling.broker.core.topic.TopicFilter;
import io.starling.mqtt.codec.QoS;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * only, so that a message never travels further than one hop; except that it is passed on, once, to a
 * node a session just moved to from here, if its publishing node did not send it there
 * ({@link RemoteNode#relaysForMovedSessions}).
 *
 * <p>A shared subscription's group chooses one member in the whole cluster ({@link ShareGroup#choose}):
 * a local member, or a remote node, which then gets the message (still once) with the group named in
 * its {@link RemoteNode.Targets}, and delivers it to one of its own members of that group; its
 * ordinary subscribers get the message only when one of their filters matched here too.
 *
 * <p>Threading: called on the publisher's loop; the per-call scratch space is per thread.
 */
public final class Router {
    private static final Logger LOG = LoggerFactory.getLogger(Router.class);
    private static final RateLimitedLog DROP_LOG = new RateLimitedLog(10);
    private final SubscriptionTree<Subscriber, SubscriberOptions> tree;
    private final LongAdder sharedWithoutMember = new LongAdder();
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
        return routeLocal(message, RemoteNode.Targets.ORDINARY);
    }

    /**
     * Routes a message that another node forwarded for {@code targets}: to this node's sessions'
     * ordinary subscriptions if it says so, and to one local member of each group it names. A named
     * group without a member here any more (the last one left while the message travelled) loses the
     * message: counted in {@link #sharedWithoutMember()}.
     *
     * @return whether any local subscription matched
     */
    public boolean routeLocal(Message message, RemoteNode.Targets targets) {
        return routeLocal(message, targets, null);
    }

    /**
     * {@link #routeLocal(Message, RemoteNode.Targets)} for a message from node {@code from} (its
     * {@link RemoteNode#name}): never relayed back there.
     */
    public boolean routeLocal(Message message, RemoteNode.Targets targets, String from) {
        return route(message, false, targets, from);
    }

    /** Messages forwarded to this node for a shared subscription group that had no member here any more. */
    public long sharedWithoutMember() {
        return sharedWithoutMember.sum();
    }

    private boolean route(Message message, boolean toRemoteNodes) {
        return route(message, toRemoteNodes, null, null);
    }

    private boolean route(Message message, boolean toRemoteNodes, RemoteNode.Targets forwarded, String from) {
        Matches m = scratch.get();
        m.toRemoteNodes = toRemoteNodes;
        m.forwarded = forwarded;
        m.from = from;
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
            if (forwarded != null) {
                for (int i = 0; i < m.nodes.size(); i++) {
                    m.nodes.get(i).forward(message, RemoteNode.Targets.RELAYED); // matched only to be relayed
                }
            } else if (!m.nodes.isEmpty()) {
                forwardToNodes(m, message);
            }
            if (forwarded != null && m.groupsServed < forwarded.groups().size()) {
                sharedWithoutMember.add(forwarded.groups().size() - m.groupsServed);
                DROP_LOG.warn(LOG, "A message on {} forwarded for a shared subscription group found no member of it here "
                        + "(the last one left meanwhile): dropped.", message.topic());
            }
            return m.matched;
        } finally {
            m.clear();
        }
    }

    /**
     * One copy to each matched node, naming the nodes that get it for their ordinary subscriptions. One list of
     * names and one {@link RemoteNode.Targets} for all the ordinary-only nodes, per message; a node with groups
     * gets its own.
     */
    private static void forwardToNodes(Matches m, Message message) {
        String[] names = new String[m.nodes.size()];
        int n = 0;
        for (int i = 0; i < m.nodes.size(); i++) {
            if (m.nodeOrdinary.get(i)) {
                names[n++] = m.nodes.get(i).name();
            }
        }
        List<String> sentTo = List.of(n == names.length ? names : java.util.Arrays.copyOf(names, n));
        RemoteNode.Targets ordinaryOnly = null;
        for (int i = 0; i < m.nodes.size(); i++) {
            List<TopicFilter.Shared> groups = m.nodeGroups.get(i);
            RemoteNode.Targets targets;
            if (groups == null) {
                if (ordinaryOnly == null) {
                    ordinaryOnly = new RemoteNode.Targets(true, List.of(), sentTo, false);
                }
                targets = ordinaryOnly;
            } else {
                targets = new RemoteNode.Targets(m.nodeOrdinary.get(i), groups, sentTo, false);
            }
            m.nodes.get(i).forward(message, targets);
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
        /** Per node: whether one of its ordinary filters matched. */
        final List<Boolean> nodeOrdinary = new ArrayList<>();
        /** Per node: the groups whose member this node chose there; null for none. */
        final List<List<TopicFilter.Shared>> nodeGroups = new ArrayList<>();
        boolean toRemoteNodes;
        /** What a forwarded message is for; null for a message published on this node. */
        RemoteNode.Targets forwarded;
        /** The node a forwarded message came from, when known: never relayed back there. */
        String from;
        /** The named groups of a forwarded message that got a member here. */
        int groupsServed;
        boolean matched;

        void add(Subscriber subscriber, SubscriberOptions options, Message message, boolean upgrade) {
            if (subscriber instanceof RemoteNode node) {
                if (toRemoteNodes) {
                    matched = true;
                    nodeOrdinary.set(slotOf(node), true);
                } else if (forwarded != null && forwarded.ordinary() && !forwarded.relayed() && !forwarded.sentTo().isEmpty()
                        && node.relaysForMovedSessions() && !forwarded.sentTo().contains(node.name())
                        && !node.name().equals(from)) {
                    // A session moved from here to that node, and the publishing node did not know it yet.
                    nodeOrdinary.set(slotOf(node), true);
                }
                return;
            }
            if (subscriber instanceof ShareGroup group) {
                addShare(group, message);
                return;
            }
            if (forwarded != null && !forwarded.ordinary()) {
                return; // forwarded for its groups only
            }
            matched = true;
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

        /**
         * One member of the group: on a message published here, chosen in the whole cluster; on a
         * forwarded one, a local member of a group the sending node named (the sender chose this node).
         */
        private void addShare(ShareGroup group, Message message) {
            ShareGroup.Member member;
            if (forwarded != null) {
                if (!forwarded.names(group)) {
                    return;
                }
                matched = true;
                member = group.pick(null);
                if (member == null) {
                    return;
                }
                groupsServed++;
            } else if (group.remoteMembers().isEmpty()) {
                matched = true;
                member = group.pick(null); // no member elsewhere: the single node's choice, without allocating
                if (member == null) {
                    return;
                }
            } else {
                matched = true;
                ShareGroup.Choice choice = group.choose();
                if (choice == null) {
                    return;
                }
                if (choice.node() != null) {
                    int slot = slotOf(choice.node());
                    List<TopicFilter.Shared> groups = nodeGroups.get(slot);
                    if (groups == null) {
                        groups = new ArrayList<>(2);
                        nodeGroups.set(slot, groups);
                    }
                    groups.add(group.key());
                    return;
                }
                member = choice.member();
            }
            SubscriberOptions o = member.options();
            append(member.session(), QoS.min(message.qos(), o.options().qos()), false,
                    o.subscriptionId() > 0 ? new ArrayList<>(List.of(o.subscriptionId())) : null, group, null);
        }

        /** The node's entry, added if new. By identity, in a list: a message matches few nodes. */
        private int slotOf(RemoteNode node) {
            for (int i = 0; i < nodes.size(); i++) {
                if (nodes.get(i) == node) {
                    return i;
                }
            }
            nodes.add(node);
            nodeOrdinary.add(false);
            nodeGroups.add(null);
            return nodes.size() - 1;
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
            forwarded = null;
            from = null;
            groupsServed = 0;
            nodes.clear();
            nodeOrdinary.clear();
            nodeGroups.clear();
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
