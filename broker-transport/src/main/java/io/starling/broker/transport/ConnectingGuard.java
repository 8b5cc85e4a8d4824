package io.starling.broker.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.starling.broker.core.OverloadCounters;
import io.starling.broker.core.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of a connection until its CONNECT is accepted: it counts every byte the stranger
 * sends, on every transport and before any decoding (TLS handshake, HTTP upgrade, WebSocket frames,
 * the CONNECT itself), and closes the connection when it sends more than {@code max_connect_bytes}
 * or its listener's strangers together are over {@link ConnectingBudget}. So no transport buffers
 * more than that for someone who has not said who it is. Removed at CONNECT
 * ({@link ChannelConnection#connected()}), giving its share of the budget back.
 * Threading: the channel's event loop.
 */
final class ConnectingGuard extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger("io.starling.broker");
    private static final RateLimitedLog TOO_LARGE = new RateLimitedLog(10);
    private static final RateLimitedLog OVER_BUDGET = new RateLimitedLog(10);

    private final ConnectingBudget budget;
    private final int maxBytes;
    private final OverloadCounters overload;
    private long received;
    private boolean released;

    ConnectingGuard(ConnectingBudget budget, int maxBytes, OverloadCounters overload) {
        this.budget = budget;
        this.maxBytes = maxBytes;
        this.overload = overload;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf bytes && !released) {
            int n = bytes.readableBytes();
            received += n;
            boolean listenerOk = budget.take(n);
            if (received > maxBytes || !listenerOk) {
                bytes.release();
                if (received > maxBytes) {
                    overload.connectTooLarge.increment();
                    TOO_LARGE.warn(LOG, "Client connection from {} closed: {} bytes before CONNECT is over max_connect_bytes {}.",
                            ChannelConnection.format(ctx.channel().remoteAddress()), received, maxBytes);
                } else {
                    overload.connectingBudget.increment();
                    OVER_BUDGET.warn(LOG, "Client connection from {} closed: the listener's unfinished CONNECTs hold {} bytes, "
                            + "over max_connecting_bytes.", ChannelConnection.format(ctx.channel().remoteAddress()),
                            budget.bytes());
                }
                ChannelConnection.abort(ctx.channel());
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (!released) {
            released = true;
            budget.release(received);
        }
    }
}
