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
 * <p>The timeout is kept by the loop's {@link ReadDeadlines} (a timing wheel linked through the
 * handlers), rather than by an {@code IdleStateHandler} or a scheduled task per connection: an idle
 * connection then costs three fields here (issue 8: memory per idle connection). A read only notes
 * its time. Threading: the channel's event loop.
 */
final class ClientChannelHandler extends ChannelInboundHandlerAdapter
        implements ChannelConnection.ReadTimeout, PacketStream.Sink {
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
    /** Place in the loop's {@link ReadDeadlines}: slot -1 when not in it. */
    ClientChannelHandler wheelPrevious;
    ClientChannelHandler wheelNext;
    int wheelSlot = -1;
    /** 0 when no timeout is set. */
    private long timeoutNanos;
    private long lastReadNanos;

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
        ReadDeadlines deadlines = connections.deadlines();
        deadlines.remove(this);
        timeoutNanos = TimeUnit.MILLISECONDS.toNanos(millis);
        if (timeoutNanos > 0 && ctx.channel().isOpen()) {
            lastReadNanos = System.nanoTime();
            deadlines.add(this);
        }
    }

    /** When the connection times out unless something is read before (ReadDeadlines). */
    long deadlineNanos() {
        return lastReadNanos + timeoutNanos;
    }

    /** Nothing was read for the timeout (ReadDeadlines; the handler is out of the wheel already). */
    void timedOut() {
        if (timeoutNanos == 0 || !ctx.channel().isOpen()) {
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
        connections.deadlines().remove(this);
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
