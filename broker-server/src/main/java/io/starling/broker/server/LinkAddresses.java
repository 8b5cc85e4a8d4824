package io.starling.broker.server;

import io.starling.broker.cluster.NodeId;
import io.starling.broker.cluster.link.NodeLinks;
import io.starling.broker.cluster.membership.ClusterChannel;
import io.starling.broker.config.ClusterSettings.HostPort;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the node links where the other nodes' link servers are: each node multicasts its own link
 * address ({@link ClusterChannel#LINKS}, {@code host:port}) after every view change, so that a node
 * that joins hears every member's and every member hears the joiner's; a node that leaves the view is
 * {@link NodeLinks#nodeGone gone} at once.
 *
 * <p>An address from a node not (yet) in this node's view waits for the next view that has it (a
 * message and a view may arrive concurrently); a late one from a departed node is forgotten, so it
 * cannot bring back a link to a node that left. Sending happens on a thread of its own: JGroups'
 * threads must not block on a send.
 */
final class LinkAddresses implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LinkAddresses.class);

    private final ClusterChannel channel;
    private final NodeLinks links;
    private final byte[] own;
    private final ExecutorService sender;

    // Guarded by this.
    private Set<NodeId> members = Set.of();
    private final Map<NodeId, InetSocketAddress> early = new HashMap<>();

    private LinkAddresses(ClusterChannel channel, NodeLinks links, HostPort own) {
        this.channel = channel;
        this.links = links;
        this.own = own.toString().getBytes(StandardCharsets.UTF_8);
        this.sender = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "cluster-link-addresses-" + channel.self());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts exchanging link addresses; {@code own} is where the others reach this node's link server.
     * Call before {@link ClusterChannel#connect()}, so that the first view is seen.
     */
    static LinkAddresses start(ClusterChannel channel, NodeLinks links, HostPort own) {
        LinkAddresses addresses = new LinkAddresses(channel, links, own);
        channel.addViewListener((view, merged) -> addresses.viewChanged(view));
        channel.onMessage(ClusterChannel.LINKS, addresses::received);
        return addresses;
    }

    private synchronized void viewChanged(List<NodeId> view) {
        Set<NodeId> now = new HashSet<>(view);
        now.remove(channel.self());
        for (NodeId node : members) {
            if (!now.contains(node)) {
                links.nodeGone(node);
            }
        }
        members = now;
        early.keySet().retainAll(now);
        early.forEach(links::nodeAt);
        early.clear();
        if (!now.isEmpty() && !sender.isShutdown()) {
            try {
                sender.execute(this::announce);
            } catch (RejectedExecutionException closing) {
                // Closed between the check and here: the node is stopping, and its view with it.
            }
        }
    }

    private synchronized void received(NodeId from, byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        HostPort at = HostPort.parse(text, false);
        if (at == null || from.equals(channel.self())) {
            LOG.warn("Cluster node {} sent a link address that is not host:port: {}", from, text);
            return;
        }
        InetSocketAddress address = new InetSocketAddress(at.host(), at.port());
        if (members.contains(from)) {
            links.nodeAt(from, address);
        } else {
            early.put(from, address);
        }
    }

    private void announce() {
        try {
            channel.multicast(ClusterChannel.LINKS, own);
        } catch (Exception e) {
            // The next view change sends it again; until then the others keep the address they had.
            LOG.warn("Cluster node {} could not send its link address: {}", channel.self(), e.toString());
        }
    }

    @Override
    public void close() {
        sender.shutdownNow();
    }
}
