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
 * {@link Router#routeLocal}, which never forwards again. A match on a remote node counts as a match
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
     */
    record Targets(boolean ordinary, List<TopicFilter.Shared> groups) {
        /** Ordinary subscriptions only, no group. */
        public static final Targets ORDINARY = new Targets(true, List.of());

        public Targets {
            groups = List.copyOf(groups);
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
}
