package io.starling.broker.cluster.link;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sending end of a link (this node connected to the other's {@code cluster_link_port}): says
 * HELLO, and once the other node answered with the HELLO of the node expected there, hands the
 * connection to its {@link NodeLink}; then passes on the acknowledgements. A frame that cannot be
 * read, or a HELLO from another node than expected, closes the connection, and the link connects again.
 *
 * <p>Threading: one instance per connection, on the connection's loop.
 */
final class LinkSender extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(LinkSender.class);

    private final NodeLinks links;
    private final NodeLink link;
    private boolean greeted;

    LinkSender(NodeLinks links, NodeLink link) {
        this.links = links;
        this.link = link;
    }

    /** How long the other node has to answer HELLO before the connection is closed and made again. */
    static final long HELLO_TIMEOUT_MS = 10_000;

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(links.codec().encode(ctx.alloc(), links.hello()));
        ctx.executor().schedule(() -> {
            if (!greeted && ctx.channel().isActive()) {
                LOG.warn("Closing the link to {} at {}: no HELLO within {} ms", link.node(), ctx.channel().remoteAddress(),
                        HELLO_TIMEOUT_MS);
                ctx.close();
            }
        }, HELLO_TIMEOUT_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        LinkFrame frame;
        ByteBuf bytes = (ByteBuf) msg;
        try {
            frame = links.codec().decode(bytes);
        } catch (MalformedFrameException e) {
            LOG.warn("Closing the link to {}: {}", link.node(), e.getMessage());
            ctx.close();
            return;
        } finally {
            bytes.release();
        }
        if (!greeted) {
            if (!(frame instanceof LinkFrame.Hello hello) || !hello.node().equals(link.node())) {
                LinkReceiver.release(frame);
                LOG.warn("Closing the link to {} at {}: it answered {}", link.node(), ctx.channel().remoteAddress(), frame);
                ctx.close();
                return;
            }
            greeted = true;
            link.connected(ctx.channel());
            return;
        }
        if (frame instanceof LinkFrame.Ack ack) {
            link.acked(ack.seq());
            return;
        }
        LinkReceiver.release(frame);
        LOG.warn("Closing the link to {}: unexpected {}", link.node(), frame);
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        link.disconnected(ctx.channel());
        links.reconnectLater(link);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.warn("Closing the link to {}: {}", link.node(), cause.toString());
        ctx.close();
    }
}
