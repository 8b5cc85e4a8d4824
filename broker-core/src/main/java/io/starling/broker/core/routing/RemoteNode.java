package io.starling.broker.core.routing;

import io.starling.broker.core.topic.TopicFilter;
import java.util.List;

/**
 * Another broker of a cluster, entered in the subscription tree under each filter that node's own
 * sessions subscribed to (the route table puts it there; the core does not know the cluster), and
 * known to each {@link ShareGroup} that has members on it.
 *
 * <p>{@link Router#route} calls {@link #forward} at most once per message, however many of the node's
 * filters and groups match, after the local deliveries, saying what the node delivers to
 * ({@link Targets}); the node then routes the message to its own sessions with
 * {@link Router#routeLocal}, which never forwards again, but for one case: the relay of a node a
 * session just moved to ({@link #relaysForMovedSessions}). A match on a remote node counts as a match
 * (PUBACK 0x10 is not sent).
 *
 * <p>Threading: {@link #forward} is called on the publisher's loop, from any loop, and must not block.
 */
public interface RemoteNode extends Subscriber {
    /**
     * What the receiving node delivers a forwarded message to.
     *
     * @param ordinary whether to its sessions' own (non-shared) subscriptions
     * @param groups   the shared subscription groups this node chose that node's members for: the node
     *                 delivers to one local member of each
     * @param sentTo   the {@link #name names} of every node the publishing node sent the message to for their
     *                 ordinary subscriptions (this one among them when {@code ordinary}); empty when unknown,
     *                 and then nothing is relayed
     * @param relayed  passed on by a node that got it from its publishing node, for a session that moved from
     *                 there to this node ({@link #relaysForMovedSessions}); never passed on again
     */
    record Targets(boolean ordinary, List<TopicFilter.Shared> groups, List<String> sentTo, boolean relayed) {
        /** Ordinary subscriptions only, no group. */
        public static final Targets ORDINARY = new Targets(true, List.of());
        /** Passed on for a moved session: ordinary subscriptions only. */
        public static final Targets RELAYED = new Targets(true, List.of(), List.of(), true);

        public Targets {
            groups = List.copyOf(groups);
            sentTo = List.copyOf(sentTo);
        }

        public Targets(boolean ordinary, List<TopicFilter.Shared> groups) {
            this(ordinary, groups, List.of(), false);
        }

        /** Whether {@code group} is among {@link #groups}. */
        public boolean names(ShareGroup group) {
            for (int i = 0; i < groups.size(); i++) {
                TopicFilter.Shared g = groups.get(i);
                if (g.group().equals(group.name()) && g.filter().equals(group.filter())) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * Sends the message as published to the node, for {@code targets}. The caller keeps its reference:
     * an implementation that holds on to the message past the call takes its own with
     * {@link Message#retain()}.
     */
    void forward(Message message, Targets targets);

    /** The node's id, as {@link Targets#sentTo} names it. */
    String name();

    /**
     * Whether a message another node forwarded here, for its ordinary subscriptions, and not to this node
     * too ({@link Targets#sentTo}), is passed on to this node ({@link Router#routeLocal}): true for a short
     * while after a session moved from here to that node, whose rows here now name that node. The
     * publishing node may not know yet that the session moved, and sent the message here only.
     */
    default boolean relaysForMovedSessions() {
        return false;
    }
}
