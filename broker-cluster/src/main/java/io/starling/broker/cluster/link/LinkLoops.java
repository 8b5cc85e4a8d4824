package io.starling.broker.cluster.link;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.SocketChannel;
import io.starling.broker.core.routing.LoopOutbox;
import java.util.List;
import java.util.Objects;

/**
 * The broker's own event loops, which the node links run on (no threads of their own): broker-server
 * passes {@code EventLoops.workers()}, {@code serverChannel()}, {@code socketChannel()} and
 * {@code outboxes()}. The outboxes are how a link flushes, once per read, the deliveries it made to
 * sessions of its own loop; a loop without one (tests on a separate group) is fine, its deliveries
 * all go through the sessions' outboxes.
 */
public record LinkLoops(EventLoopGroup group, Class<? extends ServerChannel> serverChannel,
                        Class<? extends SocketChannel> socketChannel, List<LoopOutbox> outboxes) {
    public LinkLoops {
        Objects.requireNonNull(group);
        Objects.requireNonNull(serverChannel);
        Objects.requireNonNull(socketChannel);
        outboxes = List.copyOf(outboxes);
    }

    /** The outbox of {@code loop}, or null when it is not one of the broker's. */
    LoopOutbox outboxOf(io.netty.util.concurrent.EventExecutor loop) {
        for (LoopOutbox o : outboxes) {
            if (o.loop() == loop) {
                return o;
            }
        }
        return null;
    }
}
