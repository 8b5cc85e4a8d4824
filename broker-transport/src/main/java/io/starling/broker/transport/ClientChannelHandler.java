package io.starling.broker.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.OverloadCounters;
import io.starling.broker.core.protocol.Client;
import io.starling.broker.core.routing.LoopOutbox;
import io.starling.broker.core.sys.LoopCounters;
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
 * {@link LoopConnections}, and the core's {@link io.starling.broker.core.protocol.Connection}: it extends
 * {@link ChannelConnection} (which extends the stream and the decoder), so that the transport side of
 * a connection is one object (issue 16: heap per connection). For the same reason it implements
 * Netty's {@link ChannelInboundHandler} itself rather than extending the adapter: the events it does
 * not handle are passed on by hand.
 *
 * <p>The timeout is kept by the loop's {@link ReadDeadlines} (a timing wheel linked through the
 * handlers), rather than by an {@code IdleStateHandler} or a scheduled task per connection: an idle
 * connection then costs three fields here (issue 8: memory per idle connection). A read only notes
 * its time. Until the CONNECT is accepted the timeout counts from accept, not from the last byte: a
 * stranger trickling a byte at a time cannot keep its socket.
 *
 * <p>Reading stops for any of three reasons and resumes when none is left ({@link #pausedFor}): the
 * connection's own output is backed up (the channel is unwritable), a loop this publisher feeds is
 * behind ({@link LoopOutbox.Producer}), or the core moves the session here (a takeover).
 * Threading: the channel's event loop.
 */
final class ClientChannelHandler extends ChannelConnection
        implements ChannelInboundHandler, PacketStream.Sink, LoopOutbox.Producer {
    private static final int PAUSED_OUTPUT = 1;
    private static final int PAUSED_BACKLOG = 2;
    private static final int PAUSED_CORE = 4;
    private static final Logger LOG = LoggerFactory.getLogger(ClientChannelHandler.class);

    private final BrokerCore core;
    private final LoopOutbox outbox;
    private final LoopConnections connections;
    private Client client;
    /** Neighbours in the loop's {@link LoopConnections}. */
    ClientChannelHandler previous;
    ClientChannelHandler next;
    /** Place in the loop's {@link ReadDeadlines}: slot -1 when not in it. */
    ClientChannelHandler wheelPrevious;
    ClientChannelHandler wheelNext;
    int wheelSlot = -1;
    /** 0 when no timeout is set; in milliseconds (an int: 24 days at most), 4 bytes fewer per connection than nanoseconds. */
    private int timeoutMillis;
    private long lastReadNanos;
    /** True until the CONNECT is accepted: the read timeout then runs from accept. */
    private boolean connecting = true;
    /** Why reading is stopped: PAUSED_* bits; read while 0. */
    private int pausedFor;
    /** Unsent output bytes when the read timeout last ran out while paused for output. */
    private long pendingAtDeadline = Long.MAX_VALUE;

    /** @param counters the counters of the channel's loop */
    ClientChannelHandler(Channel channel, BrokerCore core, LoopOutbox outbox, LoopConnections connections,
                         LoopCounters counters, CertificateUsername usernames, ListenerOptions options) {
        super(channel, core.settings().maxPacketSize(), core.settings().overload().maxConnectBytes(), counters,
                usernames, options);
        this.core = core;
        this.outbox = outbox;
        this.connections = connections;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        connections.add(this);
        client = new Client(core, this, outbox);
        setReadTimeout(TimeUnit.SECONDS.toMillis(core.settings().connectTimeoutSeconds()));
        ctx.fireChannelActive();
    }

    @Override
    OverloadCounters overload() {
        return core.overload();
    }

    @Override
    long maxOutgoingBytes() {
        return core.settings().overload().maxOutgoingBytes();
    }

    @Override
    public void setReadTimeout(long millis) {
        if (!channel.eventLoop().inEventLoop()) {
            // The loop's deadline wheel is the loop's alone; the core calls on the loop, but be safe.
            channel.eventLoop().execute(() -> setReadTimeout(millis));
            return;
        }
        ReadDeadlines deadlines = connections.deadlines();
        deadlines.remove(this);
        timeoutMillis = (int) Math.min(Math.max(millis, 0), Integer.MAX_VALUE);
        if (timeoutMillis > 0 && channel.isOpen()) {
            lastReadNanos = System.nanoTime();
            deadlines.add(this);
        }
    }

    /** When the connection times out unless something is read before (ReadDeadlines). */
    long deadlineNanos() {
        return lastReadNanos + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    /** Nothing was read for the timeout (ReadDeadlines; the handler is out of the wheel already). */
    void timedOut() {
        if (timeoutMillis == 0 || !channel.isOpen()) {
            return;
        }
        if (!connecting && (pausedFor & PAUSED_OUTPUT) != 0 && outputProgressed()) {
            // We stopped reading, so the client's PINGREQs wait unread: while it still takes what we
            // send, its silence is ours, and it gets another period.
            lastReadNanos = System.nanoTime();
            connections.deadlines().add(this);
            return;
        }
        timeoutMillis = 0;
        if (connecting) {
            core.overload().connectTimeout.increment();
        }
        client.onKeepAliveTimeout();
        outbox.flushPending();
    }

    /** Whether the peer took some of our unsent output since the last time this was asked. */
    private boolean outputProgressed() {
        io.netty.channel.ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
        long pending = out == null ? 0 : out.totalPendingWriteBytes();
        boolean progressed = pending < pendingAtDeadline;
        pendingAtDeadline = pending;
        return progressed;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (client == null || !(msg instanceof ByteBuf bytes)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        outbox.reading(this);
        try {
            read(bytes, ctx.alloc(), this);
        } finally {
            outbox.reading(null);
        }
    }

    @Override
    public void connected() {
        connecting = false;
        if (channel.pipeline().get(ConnectingGuard.class) != null) {
            channel.pipeline().remove(ConnectingGuard.class);
        }
    }

    @Override
    public void setReading(boolean reading) {
        pause(PAUSED_CORE, !reading);
    }

    @Override
    public void pauseForBacklog(boolean paused) {
        pause(PAUSED_BACKLOG, paused);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        boolean unwritable = !ctx.channel().isWritable();
        if (unwritable && (pausedFor & PAUSED_OUTPUT) == 0) {
            core.overload().readPausedOutput.increment();
        }
        pause(PAUSED_OUTPUT, unwritable);
        pendingAtDeadline = Long.MAX_VALUE;
        if (!unwritable && client != null) {
            client.onWritable();
            outbox.flushPending();
        }
        ctx.fireChannelWritabilityChanged();
    }

    private void pause(int reason, boolean paused) {
        int was = pausedFor;
        pausedFor = paused ? was | reason : was & ~reason;
        if ((was == 0) != (pausedFor == 0)) {
            channel.config().setAutoRead(pausedFor == 0);
        }
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

    /** The broker is stopping: the client's will goes (or waits with the held ones) while every connection is open. */
    void publishWillAtShutdown(boolean delayed) {
        if (client != null) {
            client.publishWillAtShutdown(delayed);
            outbox.flushPending();
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
    Channel channel() {
        return channel;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (timeoutMillis != 0 && !connecting) {
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
        release();
    }

    // ---- events passed on unchanged (what ChannelInboundHandlerAdapter would do) ----

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
    }

    @Override
    public void channelRegistered(ChannelHandlerContext ctx) {
        ctx.fireChannelRegistered();
    }

    @Override
    public void channelUnregistered(ChannelHandlerContext ctx) {
        ctx.fireChannelUnregistered();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        ctx.fireUserEventTriggered(evt);
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
