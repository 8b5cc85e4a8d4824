package io.starling.broker.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleStateEvent;
import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.protocol.Client;
import io.starling.broker.core.routing.LoopOutbox;
import io.starling.mqtt.codec.Malformed;
import io.starling.mqtt.codec.Packet;
import io.starling.mqtt.codec.Publish;
import java.io.IOException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of the pipeline: hands decoded packets and connection events to the core's
 * {@link Client}. Threading: the channel's event loop.
 */
final class ClientChannelHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ClientChannelHandler.class);

    private final BrokerCore core;
    private final LoopOutbox outbox;
    private final CertificateUsername usernames;
    private Client client;

    private final ListenerOptions options;

    ClientChannelHandler(BrokerCore core, LoopOutbox outbox, CertificateUsername usernames, ListenerOptions options) {
        this.options = options;
        this.core = core;
        this.outbox = outbox;
        this.usernames = usernames;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        client = new Client(core, new ChannelConnection(ctx.channel(), usernames, options,
                core.counters().local()), outbox);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (client == null) {
            if (msg instanceof Publish p) {
                p.release();
            }
            return;
        }
        if (msg instanceof Packet packet) {
            client.onPacket(packet);
        } else if (msg instanceof Malformed malformed) {
            client.onMalformed(malformed);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (client != null) {
            client.onReadComplete();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && client != null) {
            client.onKeepAliveTimeout();
            outbox.flushPending();
        } else if (evt == ShutdownEvent.INSTANCE && client != null) {
            client.onShutdown();
            outbox.flushPending();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (client != null) {
            client.onConnectionLost();
            outbox.flushPending();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable tls = cause instanceof DecoderException ? cause.getCause() : cause;
        if (tls instanceof SSLException) { // NotSslRecordException among them
            // A client that does not trust our certificate, shows none or a bad one, or speaks no TLS.
            LOG.info("TLS connection from {} failed: {}", ChannelConnection.format(ctx.channel().remoteAddress()),
                    tls.getMessage());
        } else if (cause instanceof IOException) {
            LOG.debug("Connection error on {}: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            LOG.warn("Closing connection {} after an unexpected error", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
