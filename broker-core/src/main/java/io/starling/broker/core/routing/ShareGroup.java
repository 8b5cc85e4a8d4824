package io.starling.broker.core.routing;

import io.starling.broker.core.session.Session;
import io.starling.mqtt.codec.QoS;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sessions subscribed to one shared subscription {@code $share/{group}/{filter}} (MQTT 5
 * §4.8.2): each message goes to one member, round robin, preferring members that are online with
 * room in their inflight window.
 *
 * <p>Threading: members change rarely (subscribe, unsubscribe, session end) and are read on every
 * routed message from any loop, so they live in a copy-on-write list; the round-robin position is
 * an atomic counter.
 */
public final class ShareGroup implements Subscriber {
    /** One member: its session and the options it subscribed with. */
    public record Member(Session session, SubscriberOptions options) {
    }

    private final String name;
    private final String filter;
    private final List<Member> members = new CopyOnWriteArrayList<>();
    private final AtomicInteger next = new AtomicInteger();

    ShareGroup(String name, String filter) {
        this.name = name;
        this.filter = filter;
    }

    public String name() {
        return name;
    }

    public String filter() {
        return filter;
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

    boolean isEmpty() {
        return members.isEmpty();
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

    /**
     * Sends a message that {@code leaving} received through this group, and will not acknowledge,
     * to another member; takes over the delivery's message reference.
     */
    public void redeliver(Delivery d, Session leaving) {
        Member m = pick(leaving);
        if (m == null) {
            d.message().release();
            return;
        }
        SubscriberOptions o = m.options();
        Delivery next = new Delivery(d.message(), QoS.min(d.message().qos(), o.options().qos()), false,
                o.subscriptionId() > 0 ? List.of(o.subscriptionId()) : List.of(), this);
        m.session().owner().deliver(m.session(), m.session().stored(next));
    }
}
