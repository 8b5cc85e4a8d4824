package io.starling.mqtt.tools.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.Disconnect;
import io.starling.mqtt.codec.MqttDecoder;
import io.starling.mqtt.codec.MqttEncoder;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Packet;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.PubRel;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.SubAck;
import io.starling.mqtt.codec.Subscribe;
import io.starling.mqtt.codec.Subscription;
import io.starling.mqtt.codec.UnsubAck;
import io.starling.mqtt.codec.Unsubscribe;
import io.starling.mqtt.tools.client.SendWindow.Kind;
import io.starling.mqtt.tools.client.SendWindow.Pending;
import io.starling.mqtt.tools.client.SendWindow.QueuedPublish;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An asynchronous MQTT 3.1, 3.1.1 and 5.0 client over Starling's codec and Netty: the engine of
 * {@code starling pub}, {@code starling sub} and the load generator.
 *
 * <p>Threading: every method may be called from any thread. All state is owned by the connection's event
 * loop; calls from elsewhere are handed to it in order. Futures complete on the event loop, so their
 * callbacks must not block.
 *
 * <p>Writes are not flushed one by one: a publish is written, and one flush is scheduled for the end of
 * the event loop's current turn, so a burst of publishes (from the loop itself, or queued to it) leaves in
 * few system calls. Acknowledgements of a read batch are flushed once, after the batch. {@link #flush()}
 * flushes at once. {@link #isWritable()} tells a fast producer when to pause.
 *
 * <p>The client acknowledges incoming QoS 1 and 2 messages itself, after the listener returns; a QoS 2
 * message is delivered once, on its PUBLISH, and a resent PUBLISH with the same identifier before PUBREL
 * is acknowledged without being delivered again (5.0 §4.3.3). Outgoing QoS 1 and 2 publishes keep to the
 * server's Receive Maximum ({@link SendWindow}). It pings when it has written nothing for the keep alive
 * interval (the server's Server Keep Alive when given) and closes when a ping goes unanswered for as long.
 * There is no reconnection and no session state across connections.
 */
public final class MqttClient implements AutoCloseable {
    private final ClientOptions options;
    private final MessageListener listener;
    private final PacketTrace trace;
    private final MqttDecoder decoder = new MqttDecoder(MqttDecoder.MAX_PACKET_SIZE_LIMIT);
    private final SendWindow window;
    private final CompletableFuture<MqttClient> connected = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final Runnable flushTask = this::flushScheduled;
    private volatile SocketChannel channel;
    private volatile ConnAck connAck;
    private volatile String clientId;
    /** Event loop: a flush task is queued for the end of this turn. */
    private boolean flushScheduled;
    /** Event loop: why the connection is closing, if not a DISCONNECT of ours. */
    private Throwable failure;
    /** Event loop: this client sent DISCONNECT (or closed before CONNACK) on request. */
    private boolean disconnectRequested;

    private MqttClient(ClientOptions options, MessageListener listener) {
        this.options = options;
        this.listener = Objects.requireNonNull(listener, "listener");
        this.trace = options.trace();
        this.window = new SendWindow(options.maxInflight());
        this.clientId = options.clientId();
    }

    /**
     * Opens the connection and sends CONNECT. The future completes after a successful CONNACK; it fails
     * with {@link ConnectRefusedException} when the server refuses, or with the I/O error (a
     * {@link java.net.ConnectException}, an {@link java.net.UnknownHostException}, a TLS error...), or with
     * a {@link TimeoutException} when no CONNACK came within the connect timeout.
     */
    public static CompletableFuture<MqttClient> connect(ClientOptions options, MessageListener listener) {
        MqttClient client = new MqttClient(options, listener);
        client.start();
        return client.connected;
    }

    private void start() {
        EventLoopGroup group = options.group() != null ? options.group() : ClientTransport.defaultGroup();
        ClientHandler handler = new ClientHandler(this, listener, options.webSocketPath() != null);
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(ClientTransport.channelType(group))
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                        (int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis()))
                .option(ChannelOption.TCP_NODELAY, options.tcpNoDelay())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        channel = ch; // before channelActive, which may run before connect() returns
                        ClientPipeline.build(ch, options, decoder, handler);
                    }
                });
        InetSocketAddress remote = InetSocketAddress.createUnresolved(options.host(), options.port());
        ChannelFuture connecting = options.sourceAddress() == null ? bootstrap.connect(remote)
                : bootstrap.connect(remote, new InetSocketAddress(options.sourceAddress(), 0));
        channel = (SocketChannel) connecting.channel();
        connecting.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                fail(f.cause());
                f.channel().close();
            }
        });
        channel.closeFuture().addListener(f -> onClosed());
        channel.eventLoop().schedule(() -> {
            if (!connected.isDone()) {
                fail(new TimeoutException("no CONNACK within " + options.connectTimeout().toMillis() + " ms"));
                channel.close();
            }
        }, options.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The server's CONNACK, or null before it arrived. */
    public ConnAck connAck() {
        return connAck;
    }

    /** The client identifier in use: the server's ASSIGNED_CLIENT_IDENTIFIER when it assigned one. */
    public String clientId() {
        return clientId;
    }

    public ClientOptions options() {
        return options;
    }

    public MqttVersion version() {
        return options.version();
    }

    /**
     * The event loop that owns this connection: code run on it (for example a load generator's publishing
     * loop) calls the client without a hand-over, and its writes share the end-of-turn flush.
     */
    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    /**
     * Publishes a message, taking ownership of {@code payload} (released once written, or on failure). The
     * future completes for QoS 0 when the packet is written to the socket, for QoS 1 on PUBACK, for QoS 2
     * on PUBCOMP; it fails with {@link PublishFailedException} when the server answers with a reason code
     * of 0x80 or above, and with {@link ConnectionLostException} when the connection goes first.
     *
     * @param topic may be empty in 5.0 when {@code properties} carries a TOPIC_ALIAS known to the server
     */
    public CompletableFuture<Void> publish(String topic, ByteBuf payload, QoS qos, boolean retain,
                                           Properties properties) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        QueuedPublish publish = new QueuedPublish(topic, payload, qos, retain, properties, done);
        if (channel.eventLoop().inEventLoop()) {
            sendPublish(publish);
        } else {
            channel.eventLoop().execute(() -> sendPublish(publish));
        }
        return done;
    }

    private void sendPublish(QueuedPublish p) {
        if (!channel.isActive() || connAck == null) {
            p.payload().release();
            p.done().completeExceptionally(new ConnectionLostException(connAck == null ? "not connected"
                    : "connection closed"));
            return;
        }
        if (p.qos() == QoS.AT_MOST_ONCE) {
            Publish packet = new Publish(false, QoS.AT_MOST_ONCE, p.retain(), p.topic(), 0, p.properties(),
                    p.payload());
            ByteBuf encoded;
            try {
                encoded = encode(packet);
            } catch (RuntimeException e) {
                p.done().completeExceptionally(e);
                return;
            } finally {
                p.payload().release();
            }
            CompletableFuture<Void> done = p.done();
            channel.write(encoded).addListener(f -> {
                if (f.isSuccess()) {
                    done.complete(null);
                } else {
                    done.completeExceptionally(f.cause());
                }
            });
            scheduleFlush();
            return;
        }
        if (!window.hasRoomForPublish()) {
            window.enqueue(p);
            return;
        }
        writeAcknowledgedPublish(p);
        scheduleFlush();
    }

    /**
     * The lean QoS 0 path of a load generator: writes up to {@code count} messages made from
     * {@code template}, {@code payload} filling each in place, then flushes once. No future and no packet
     * object per message; a message is one pooled buffer. It stops early when the channel stops being
     * writable ({@link MessageListener#onWritable} says when to go on) or the connection is gone.
     * Must be called on the event loop ({@link #eventLoop()}).
     *
     * @return how many messages were written
     */
    public int publishQos0(Qos0Template template, int count, Qos0Template.PayloadWriter payload) {
        if (!channel.eventLoop().inEventLoop()) {
            throw new IllegalStateException("publishQos0 runs on the client's event loop only");
        }
        if (template.version() != options.version()) {
            throw new IllegalArgumentException("template for " + template.version() + ", client speaks " + options.version());
        }
        if (!channel.isActive() || connAck == null) {
            return 0;
        }
        int written = 0;
        while (written < count && channel.isWritable()) {
            ByteBuf out = channel.alloc().directBuffer(template.packetLength());
            template.writeHeader(out);
            int start = out.writerIndex();
            payload.write(out, template.payloadLength());
            if (out.writerIndex() - start != template.payloadLength()) {
                out.release();
                throw new IllegalStateException("payload writer wrote " + (out.writerIndex() - start)
                        + " bytes, not " + template.payloadLength());
            }
            channel.write(out, channel.voidPromise());
            written++;
        }
        if (written > 0) {
            channel.flush();
        }
        return written;
    }

    /** Writes a QoS 1 or 2 publish that has a place in the window. */
    private void writeAcknowledgedPublish(QueuedPublish p) {
        Pending pending = new Pending(p.qos() == QoS.AT_LEAST_ONCE ? Kind.PUBLISH_QOS1 : Kind.PUBLISH_QOS2, p.done());
        int packetId = window.acquire(pending);
        try {
            Publish packet = new Publish(false, p.qos(), p.retain(), p.topic(), packetId, p.properties(), p.payload());
            channel.write(encode(packet), channel.voidPromise());
        } catch (RuntimeException e) {
            window.release(packetId);
            p.done().completeExceptionally(e);
        } finally {
            p.payload().release();
        }
    }

    /** Subscribes; the future completes with the SUBACK, whatever its reason codes. */
    public CompletableFuture<SubAck> subscribe(List<Subscription> subscriptions, Properties properties) {
        CompletableFuture<SubAck> done = new CompletableFuture<>();
        onLoop(() -> sendWithPacketId(Kind.SUBSCRIBE, done, id -> new Subscribe(id, subscriptions, properties)));
        return done;
    }

    /** Unsubscribes; the future completes with the UNSUBACK (no reason codes in 3.1.1). */
    public CompletableFuture<UnsubAck> unsubscribe(List<String> filters, Properties properties) {
        CompletableFuture<UnsubAck> done = new CompletableFuture<>();
        onLoop(() -> sendWithPacketId(Kind.UNSUBSCRIBE, done, id -> new Unsubscribe(id, filters, properties)));
        return done;
    }

    private void sendWithPacketId(Kind kind, CompletableFuture<?> done, java.util.function.IntFunction<Packet> packet) {
        if (!channel.isActive() || connAck == null) {
            done.completeExceptionally(new ConnectionLostException("not connected"));
            return;
        }
        int packetId = window.acquire(new Pending(kind, done));
        if (packetId == 0) {
            done.completeExceptionally(new IllegalStateException("all 65535 packet identifiers are in use"));
            return;
        }
        try {
            write(packet.apply(packetId));
            scheduleFlush();
        } catch (RuntimeException e) {
            window.release(packetId);
            done.completeExceptionally(e);
        }
    }

    /**
     * Sends DISCONNECT and closes the connection; the future is {@link #closeFuture()}. In 3.1.1 the
     * reason code and properties are not sent.
     */
    public CompletableFuture<Void> disconnect(int reasonCode, Properties properties) {
        onLoop(() -> {
            if (!channel.isActive()) {
                return;
            }
            disconnectRequested = true;
            if (connAck == null) {
                channel.close();
                return;
            }
            write(new Disconnect(reasonCode, properties)).addListener(ChannelFutureListener.CLOSE);
            channel.flush();
        });
        return closed;
    }

    /** Completes when the connection is gone, for any reason; never fails. */
    public CompletableFuture<Void> closeFuture() {
        return closed;
    }

    /** QoS 1 and 2 publishes sent and not yet acknowledged (read off the event loop, a recent value). */
    public int inflight() {
        return window.publishesInflight();
    }

    /** Flushes what was written; useful off the event loop, where the end-of-turn flush may come later. */
    public void flush() {
        if (channel.eventLoop().inEventLoop()) {
            channel.flush();
        } else {
            channel.eventLoop().execute(channel::flush);
        }
    }

    /** The channel's writability: false while the outbound buffer is above its high-water mark. */
    public boolean isWritable() {
        return channel.isWritable();
    }

    /** Disconnects normally and waits (up to the connect timeout) for the connection to close. */
    @Override
    public void close() {
        disconnect(0, Properties.EMPTY);
        if (!channel.eventLoop().inEventLoop()) {
            try {
                closed.get(options.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                channel.close();
            }
        }
    }

    @Override
    public String toString() {
        return "MqttClient[" + clientId + "@" + options.host() + ":" + options.port() + "]";
    }

    // ---- called by ClientHandler, on the event loop ----

    void sendConnect() {
        decoder.setVersion(options.version());
        write(new Connect(options.version(), options.clientId(), options.cleanStart(), options.keepAliveSeconds(),
                options.username(), options.password(), options.will(), options.connectProperties()));
        channel.flush();
    }

    void onConnAck(ConnAck ack) {
        if (connAck != null) {
            fail(new PacketFrameDecoder.MalformedServerPacketException(new io.starling.mqtt.codec.Malformed(
                    0x82, "second CONNACK", ack.type())));
            channel.close();
            return;
        }
        if (ack.reasonCode() != 0) {
            fail(new ConnectRefusedException(ack.reasonCode(), options.version()));
            channel.close();
            return;
        }
        Properties p = ack.properties();
        String assigned = p.text(PropertyId.ASSIGNED_CLIENT_IDENTIFIER);
        if (assigned != null) {
            clientId = assigned;
        }
        window.limitPublishes((int) p.number(PropertyId.RECEIVE_MAXIMUM, 0xFFFF));
        int keepAlive = (int) p.number(PropertyId.SERVER_KEEP_ALIVE, options.keepAliveSeconds());
        if (keepAlive > 0) {
            channel.pipeline().addBefore(ClientPipeline.CLIENT, ClientPipeline.KEEPALIVE,
                    new IdleStateHandler(0, keepAlive, 0, TimeUnit.SECONDS));
        }
        connAck = ack;
        connected.complete(this);
    }

    /** PUBACK, or PUBREC with a failure code: the end of a publish. */
    void onPublishEnd(int packetId, int reasonCode, Properties properties) {
        Pending pending = window.release(packetId);
        if (pending == null) {
            return;
        }
        if (reasonCode >= 0x80) {
            pending.future.completeExceptionally(new PublishFailedException(packetId, reasonCode,
                    properties.text(PropertyId.REASON_STRING)));
        } else {
            ((CompletableFuture<?>) pending.future).complete(null);
        }
        sendQueued();
    }

    /** PUBREC with success: answer PUBREL and wait for PUBCOMP. */
    void onPubRec(int packetId) {
        Pending pending = window.get(packetId);
        if (pending != null && pending.kind == Kind.PUBLISH_QOS2) {
            pending.released = true;
        }
        write(new PubRel(packetId));
    }

    @SuppressWarnings("unchecked")
    void onSubAck(SubAck ack) {
        Pending pending = window.release(ack.packetId());
        if (pending != null && pending.kind == Kind.SUBSCRIBE) {
            ((CompletableFuture<SubAck>) pending.future).complete(ack);
        }
    }

    @SuppressWarnings("unchecked")
    void onUnsubAck(UnsubAck ack) {
        Pending pending = window.release(ack.packetId());
        if (pending != null && pending.kind == Kind.UNSUBSCRIBE) {
            ((CompletableFuture<UnsubAck>) pending.future).complete(ack);
        }
    }

    private void sendQueued() {
        boolean sent = false;
        while (window.hasQueued()) {
            writeAcknowledgedPublish(window.dequeue());
            sent = true;
        }
        if (sent) {
            scheduleFlush();
        }
    }

    /** Writes a packet of ours without flushing. */
    ChannelFuture write(Packet packet) {
        return channel.write(encode(packet));
    }

    private ByteBuf encode(Packet packet) {
        if (trace != null) {
            trace.sent(this, packet);
        }
        return MqttEncoder.encode(channel.alloc(), packet, options.version());
    }

    PacketTrace trace() {
        return trace;
    }

    /** Records why the connection ends (the first reason wins) and fails the connect future with it. */
    void fail(Throwable cause) {
        if (failure == null) {
            failure = cause;
        }
        connected.completeExceptionally(cause);
    }

    private void onClosed() {
        Throwable cause = failure;
        if (cause == null && !disconnectRequested) {
            cause = new ConnectionLostException("connection closed by the server");
        }
        if (!connected.isDone()) {
            connected.completeExceptionally(cause != null ? cause
                    : new ConnectionLostException("connection closed before CONNACK"));
        }
        ConnectionLostException lost = new ConnectionLostException("connection closed");
        for (Object waiting : window.drain()) {
            if (waiting instanceof Pending pending) {
                pending.future.completeExceptionally(lost);
            } else {
                QueuedPublish queued = (QueuedPublish) waiting;
                queued.payload().release();
                queued.done().completeExceptionally(lost);
            }
        }
        try {
            if (connAck != null) {
                listener.onClosed(this, cause);
            }
        } finally {
            closed.complete(null);
        }
    }

    private void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            channel.eventLoop().execute(flushTask);
        }
    }

    private void flushScheduled() {
        flushScheduled = false;
        channel.flush();
    }

    private void onLoop(Runnable task) {
        if (channel.eventLoop().inEventLoop()) {
            task.run();
        } else {
            channel.eventLoop().execute(task);
        }
    }
}
