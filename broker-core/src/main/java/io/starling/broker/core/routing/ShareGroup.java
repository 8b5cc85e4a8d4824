package io.starling.broker.core.routing;

import io.starling.broker.core.session.Session;
import io.starling.mqtt.codec.QoS;
import io.starling.broker.core.topic.TopicFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sessions subscribed to one shared subscription {@code $share/{group}/{filter}} (MQTT 5
 * §4.8.2): each message goes to one member, round robin, preferring members that are online with
 * room in their inflight window.
 *
 * <p><b>In a cluster</b> the group also knows the other nodes that have members of it, with their
 * member counts ({@link #setRemote}, from the route table). The node where a message is published
 * chooses one member in the whole cluster ({@link #choose}): a slot in a round robin over all the
 * members of the cluster, weighted by the counts, so each member gets about its share wherever it is;
 * a slot of this node goes to a local member as on one node, a slot of another node goes to that
 * node, which delivers to one of its own members ({@link #pick}). Without remote members the choice
 * is exactly the single node's.
 *
 * <p>Threading: members change rarely (subscribe, unsubscribe, session end) and are read on every
 * routed message from any loop, so they live in a copy-on-write list (the remote ones in an immutable
 * list replaced whole); the round-robin positions are atomic counters.
 */
public final class ShareGroup implements Subscriber {
    /** One member: its session and the options it subscribed with. */
    public record Member(Session session, SubscriberOptions options) {
    }

    private final String name;
    private final String filter;
    private final TopicFilter.Shared key;
    /** Another node with members of this group, and how many it has. */
    public record RemoteMembers(RemoteNode node, int count) {
    }

    private final List<Member> members = new CopyOnWriteArrayList<>();
    private final AtomicInteger next = new AtomicInteger();
    private volatile List<RemoteMembers> remote = List.of();
    /** The round robin over the cluster's members (used only while other nodes have members). */
    private final AtomicInteger nextInCluster = new AtomicInteger();

    ShareGroup(String name, String filter) {
        this.name = name;
        this.filter = filter;
        this.key = new TopicFilter.Shared(name, filter);
    }

    public String name() {
        return name;
    }

    public String filter() {
        return filter;
    }

    /** The group as the other nodes of a cluster name it. */
    public TopicFilter.Shared key() {
        return key;
    }

    /** Adds or replaces a member; returns true when the session was a member already. */
    boolean put(Session session, SubscriberOptions options) {
        boolean existed = remove(session);
        members.add(new Member(session, options));
        return existed;
    }

    boolean remove(Session session) {
        return members.removeIf(m -> m.session() == session);
    }

    /** No member left here nor on another node. */
    boolean isEmpty() {
        return members.isEmpty() && remote.isEmpty();
    }

    /** Sets how many members {@code node} has (0: none any more). Called under {@link SharedSubscriptions}' lock. */
    void setRemote(RemoteNode node, int count) {
        List<RemoteMembers> next = new ArrayList<>(remote.size() + 1);
        for (RemoteMembers r : remote) {
            if (r.node() != node) {
                next.add(r);
            }
        }
        if (count > 0) {
            next.add(new RemoteMembers(node, count));
        }
        remote = List.copyOf(next);
    }

    /** The other nodes with members, as the route table last said. */
    public List<RemoteMembers> remoteMembers() {
        return remote;
    }

    public int size() {
        return members.size();
    }

    /**
     * The member for the next message, skipping {@code except} (a member that is leaving): the next
     * one in turn that can take a message now, else the next one in turn at all; null when none.
     */
    public Member pick(Session except) {
        List<Member> snapshot = members;
        int n = snapshot.size();
        if (n == 0) {
            return null;
        }
        int start = Math.floorMod(next.getAndIncrement(), n);
        Member fallback = null;
        for (int i = 0; i < n; i++) {
            Member m = snapshot.get((start + i) % n);
            if (m.session() == except || m.session().isEnded()) {
                continue;
            }
            if (m.session().canTakeMessageNow()) {
                return m;
            }
            if (fallback == null) {
                fallback = m;
            }
        }
        return fallback;
    }

    /** The member chosen for one message: one on this node, or another node that has members. */
    public record Choice(Member member, RemoteNode node) {
    }

    /**
     * The one member of the cluster that gets the next message published on this node: a local
     * {@link Member} or a {@link RemoteNode} with members; null when there is none.
     */
    public Choice choose() {
        List<RemoteMembers> others = remote;
        if (others.isEmpty()) {
            Member m = pick(null);
            return m == null ? null : new Choice(m, null);
        }
        int local = members.size();
        int total = local;
        for (RemoteMembers r : others) {
            total += r.count();
        }
        int slot = Math.floorMod(nextInCluster.getAndIncrement(), total);
        if (slot < local) {
            Member m = pick(null);
            if (m != null) {
                return new Choice(m, null);
            }
            slot = local; // every local member left meanwhile: the next node's turn
        }
        return new Choice(null, remoteAt(others, slot - local));
    }

    /** The node whose members hold {@code slot} of the remote members, counted in list order. */
    private static RemoteNode remoteAt(List<RemoteMembers> others, int slot) {
        for (RemoteMembers r : others) {
            if (slot < r.count()) {
                return r.node();
            }
            slot -= r.count();
        }
        return others.get(0).node();
    }

    /** A node with members, chosen by their counts, or null when no other node has any. */
    private RemoteNode pickRemote() {
        List<RemoteMembers> others = remote;
        if (others.isEmpty()) {
            return null;
        }
        int total = 0;
        for (RemoteMembers r : others) {
            total += r.count();
        }
        return remoteAt(others, Math.floorMod(nextInCluster.getAndIncrement(), total));
    }

    /**
     * Sends a message that {@code leaving} received through this group, and will not acknowledge,
     * to another member; takes over the delivery's message reference. A member on this node first, as
     * on a single node; when none is left here, a member on another node (its node delivers to one of
     * its own members and never forwards it again).
     */
    public void redeliver(Delivery d, Session leaving) {
        Member m = pick(leaving);
        if (m == null) {
            RemoteNode node = pickRemote();
            if (node != null) {
                node.forward(d.message(), new RemoteNode.Targets(false, List.of(key())));
            }
            d.message().release();
            return;
        }
        SubscriberOptions o = m.options();
        Delivery next = new Delivery(d.message(), QoS.min(d.message().qos(), o.options().qos()), false,
                o.subscriptionId() > 0 ? List.of(o.subscriptionId()) : List.of(), this);
        m.session().owner().deliver(m.session(), m.session().stored(next));
    }
}
