package io.starling.broker.cluster.link;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.starling.broker.cluster.NodeId;
import io.starling.broker.core.routing.LoopOutbox;
import io.starling.broker.core.store.SessionStore;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving end of a link, on this node's {@code cluster_link_port}: after the sender's HELLO
 * (answered with this node's), routes each forwarded message to this node's sessions only
 * ({@code Router.routeLocal}), to what the frame names (their ordinary subscriptions, one member of each
 * named shared subscription group), unless it is a resend of one routed already, and acknowledges each
 * QoS 1/2 one once routed and, with a durable store, once what the routing stored for this node's
 * persistent sessions is on disk (the store's group commit), with the highest sequence routed from the
 * sender ({@link Duplicates}): from the ack on, the message survives a crash of either node, and a
 * resend after this node restarts is not routed again. A frame that cannot be read closes this link, nothing else.
 *
 * <p>Threading: one instance per connection, on the connection's loop.
 */
final class LinkReceiver extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(LinkReceiver.class);

    private final NodeLinks links;
    /** The sender, known after its HELLO. */
    private NodeId origin;
    private long incarnation;
    private LinkCounters counters;
    /** Frames read while the origin is held ({@link LinkHolds}), in order; null when none wait. */
    private ArrayDeque<LinkFrame.Publish> waiting;

    LinkReceiver(NodeLinks links) {
        this.links = links;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        LinkFrame frame;
        ByteBuf bytes = (ByteBuf) msg;
        try {
            frame = links.codec().decode(bytes);
        } catch (MalformedFrameException e) {
            LOG.warn("Closing the link from {} ({}): {}", origin, ctx.channel().remoteAddress(), e.getMessage());
            ctx.close();
            return;
        } finally {
            bytes.release();
        }
        if (origin == null) {
            if (!(frame instanceof LinkFrame.Hello hello)) {
                release(frame);
                LOG.warn("Closing the link from {}: it did not start with HELLO", ctx.channel().remoteAddress());
                ctx.close();
                return;
            }
            origin = hello.node();
            incarnation = hello.incarnation();
            counters = links.counters(origin);
            ctx.writeAndFlush(links.codec().encode(ctx.alloc(), links.hello()));
            return;
        }
        if (!(frame instanceof LinkFrame.Publish p)) {
            LOG.warn("Closing the link from {}: unexpected {}", origin, frame);
            ctx.close();
            return;
        }
        if (waiting != null || links.holds().isHeld(origin)) {
            hold(ctx, p);
            return;
        }
        route(ctx, p);
    }

    /** Keeps {@code p} until the origin is released, and stops reading meanwhile. */
    private void hold(ChannelHandlerContext ctx, LinkFrame.Publish p) {
        if (waiting == null) {
            waiting = new ArrayDeque<>();
            ctx.channel().config().setAutoRead(false);
            links.holds().whenReleased(origin, () -> ctx.executor().execute(() -> resume(ctx)));
        }
        waiting.add(p);
    }

    private void resume(ChannelHandlerContext ctx) {
        if (waiting == null) {
            return;
        }
        if (links.holds().isHeld(origin)) { // held again meanwhile: wait for that one too
            links.holds().whenReleased(origin, () -> ctx.executor().execute(() -> resume(ctx)));
            return;
        }
        ArrayDeque<LinkFrame.Publish> frames = waiting;
        waiting = null;
        LinkFrame.Publish p;
        while ((p = frames.poll()) != null) {
            if (!ctx.channel().isActive()) {
                p.message().release();
                continue;
            }
            route(ctx, p);
        }
        channelReadComplete(ctx);
        ctx.channel().config().setAutoRead(true);
    }

    private void route(ChannelHandlerContext ctx, LinkFrame.Publish p) {
        SessionStore store = links.core().store();
        store.beginChanges();
        try {
            if (p.seq() != LinkFrame.Publish.UNSEQUENCED && !links.duplicates().firstTime(origin, incarnation, p.seq())) {
                counters.duplicatesIn.increment();
            } else {
                counters.forwardedIn.increment();
                links.core().router().routeLocal(p.message(), p.targets(), origin.name()); // never relayed back there
            }
        } finally {
            p.message().release();
        }
        if (p.seq() == LinkFrame.Publish.UNSEQUENCED) {
            return;
        }
        LinkFrame.Ack ack = new LinkFrame.Ack(p.seq());
        if (!store.isDurable() || !store.hasUnreportedChanges()) {
            ctx.write(links.codec().encode(ctx.alloc(), ack));
            return;
        }
        // The routing stored something (for persistent sessions): the mark joins that batch, so after a
        // crash that loses this ack the resend is known as one (a QoS 2 message must not come twice).
        links.duplicates().stored(origin, incarnation, p.seq(), store);
        store.afterDurable(ctx.executor(), durable -> {
            if (!durable) {
                // The sessions have it in memory; a resend would be dropped as a duplicate, so ack anyway.
                links.core().drops().notDurable.increment();
            }
            ctx.writeAndFlush(links.codec().encode(ctx.alloc(), ack));
        });
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush(); // the acks of this read, together
        LoopOutbox outbox = links.loops().outboxOf(ctx.channel().eventLoop());
        if (outbox != null) {
            outbox.flushPending(); // the deliveries to sessions of this loop
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (waiting != null) {
            waiting.forEach(w -> w.message().release()); // not acknowledged: the sender resends them
            waiting.clear();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.warn("Closing the link from {}: {}", origin, cause.toString());
        ctx.close();
    }

    static void release(LinkFrame frame) {
        if (frame instanceof LinkFrame.Publish p) {
            p.message().release();
        }
    }
}
