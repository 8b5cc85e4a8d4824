package io.starling.broker.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.protocol.Client;
import io.starling.broker.core.routing.LoopOutbox;
import io.starling.mqtt.codec.DecodeResult;
import io.starling.mqtt.codec.Malformed;
import io.starling.mqtt.codec.Packet;
import java.io.IOException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MQTT end of the pipeline: cuts the bytes into packets ({@link PacketStream}), hands them and the
 * connection's events to the core's {@link Client}, and keeps the read timeout (the CONNECT timeout,
 * then 1.5 times the keepalive). It is also the connection's entry in its loop's
 * {@link LoopConnections}.
 *
 * <p>The timeout is one task per connection that re-arms itself for the time left, rather than an
 * {@code IdleStateHandler}: an idle connection then costs one scheduled task, not a handler, its
 * context and two tasks (issue 8: memory per idle connection). Threading: the channel's event loop.
 */
final class ClientChannelHandler extends ChannelInboundHandlerAdapter
        implements ChannelConnection.ReadTimeout, PacketStream.Sink, Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ClientChannelHandler.class);

    private final BrokerCore core;
    private final LoopOutbox outbox;
    private final LoopConnections connections;
    private final CertificateUsername usernames;
    private final PacketStream packets;
    private Client client;
    private ChannelHandlerContext ctx;
    /** Neighbours in the loop's {@link LoopConnections}. */
    ClientChannelHandler previous;
    ClientChannelHandler next;
    /** 0 when no timeout is set. */
    private long timeoutNanos;
    private long lastReadNanos;
    private ScheduledFuture<?> timeoutCheck;

    private final ListenerOptions options;

    ClientChannelHandler(BrokerCore core, LoopOutbox outbox, LoopConnections connections, PacketStream packets,
                         CertificateUsername usernames, ListenerOptions options) {
        this.options = options;
        this.core = core;
        this.outbox = outbox;
        this.connections = connections;
        this.packets = packets;
        this.usernames = usernames;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        connections.add(this);
        client = new Client(core, new ChannelConnection(ctx.channel(), usernames, options,
                core.counters().local(), this), outbox);
        setReadTimeout(TimeUnit.SECONDS.toMillis(core.settings().connectTimeoutSeconds()));
        ctx.fireChannelActive();
    }

    @Override
    public void setReadTimeout(long millis) {
        if (timeoutCheck != null) {
            timeoutCheck.cancel(false);
            timeoutCheck = null;
        }
        timeoutNanos = TimeUnit.MILLISECONDS.toNanos(millis);
        if (timeoutNanos > 0 && ctx.channel().isOpen()) {
            lastReadNanos = System.nanoTime();
            timeoutCheck = ctx.executor().schedule(this, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** The timeout check: times the connection out, or re-arms for the time left since the last read. */
    @Override
    public void run() {
        timeoutCheck = null;
        if (timeoutNanos == 0 || !ctx.channel().isOpen()) {
            return;
        }
        long idle = System.nanoTime() - lastReadNanos;
        if (idle < timeoutNanos) {
            timeoutCheck = ctx.executor().schedule(this, timeoutNanos - idle, TimeUnit.NANOSECONDS);
            return;
        }
        timeoutNanos = 0;
        client.onKeepAliveTimeout();
        outbox.flushPending();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (client == null || !(msg instanceof ByteBuf bytes)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        packets.read(bytes, ctx.alloc(), this);
    }

    /** A packet cut from the stream (PacketStream.Sink). */
    @Override
    public void accept(DecodeResult result) {
        if (result instanceof Packet packet) {
            client.onPacket(packet);
        } else if (result instanceof Malformed malformed) {
            client.onMalformed(malformed);
        }
    }

    /** Tells the client the server is going down (5.0: DISCONNECT 0x8B). */
    void shutDown() {
        if (client != null) {
            client.onShutdown();
            outbox.flushPending();
        }
    }

    /** The connection's channel. */
    io.netty.channel.Channel channel() {
        return ctx.channel();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (timeoutNanos != 0) {
            lastReadNanos = System.nanoTime();
        }
        if (client != null) {
            client.onReadComplete();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connections.remove(this);
        if (timeoutCheck != null) {
            timeoutCheck.cancel(false);
            timeoutCheck = null;
        }
        if (client != null) {
            client.onConnectionLost();
            outbox.flushPending();
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        packets.release();
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
