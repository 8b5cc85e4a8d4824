package io.starling.broker.bridge;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.starling.broker.config.BridgeConfig;
import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.protocol.Client;
import io.starling.broker.core.routing.LoopOutbox;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.session.Session;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.Disconnect;
import io.starling.mqtt.codec.MqttEncoder;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Packet;
import io.starling.mqtt.codec.PingReq;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.SubAck;
import io.starling.mqtt.codec.Subscribe;
import io.starling.mqtt.codec.UnsubAck;
import io.starling.mqtt.codec.Unsubscribe;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bridge: a session on the remote broker and a session on this one, and the packets passed between them one
 * for one with their packet ids, so that each broker's own QoS 1/2 state, queue and persistence carry what is in
 * flight while the other side is away. Everything runs on the bridge's event loop.
 *
 * <p>A connection goes: TCP (and TLS) to the remote broker, CONNECT, CONNACK; SUBSCRIBE of the {@code in} and
 * {@code both} topics there (and UNSUBSCRIBE of the {@code out} ones, {@code bridge_attempt_unsubscribe}); then the
 * local session connects (Clean Start from {@code local_cleansession}) and subscribes to the {@code out} and
 * {@code both} topics here, with No Local so that what the bridge brings in never goes back out, and getting the
 * retained messages, as mosquitto sends them on each connect. What the remote broker sends before that is held.
 * When the remote connection ends, the local session is let go as a lost connection: a persistent one keeps
 * queueing ({@code max_queued_messages}, durably with persistence), and its unacknowledged messages go again, with
 * DUP and their packet ids, on the next connection.
 */
final class Bridge {
    private static final Logger LOG = LoggerFactory.getLogger("io.starling.broker.bridge");
    /** Remote packets held until both sessions are ready, at most; more closes the connection and starts over. */
    private static final int MAX_HELD = 10_000;
    /** The same bound in payload bytes. */
    private static final long MAX_HELD_BYTES = 16L << 20;
    /** Payloads up to this many bytes are copied after the PUBLISH header; larger ones are shared (as ChannelConnection). */
    private static final int COPIED_PAYLOAD = 256;
    /** How often a lazy bridge looks at its queue and at its idle time. */
    private static final long LAZY_CHECK_MILLIS = 500;

    private enum State { PRIMING, LAZY, IDLE, CONNECTING, SUBSCRIBING, LOCAL_CONNECTING, LOCAL_SUBSCRIBING, RELAYING, STOPPED }

    private final BridgeConfig config;
    private final BrokerCore core;
    private final EventLoop loop;
    private final LoopOutbox outbox;
    private final Class<? extends SocketChannel> channelType;
    private final SslContext tls;
    private final TopicMap topics;
    private final int receiveMaximum;
    private final Backoff backoff;
    private MqttVersion version;
    private State state = State.IDLE;
    private int address;
    private Channel remote;
    private LocalSide local;
    private Client client;
    private int pendingAcks;
    private final ArrayDeque<Packet> held = new ArrayDeque<>();
    private long heldBytes;
    private int remoteReceiveMaximum = 65535;
    // Written on the bridge's loop only, read by status() from any thread.
    private volatile boolean up;
    private volatile long sent;
    private volatile long received;
    private volatile long connects;
    /** When a message last went through, either way (start_type lazy's idle_timeout). */
    private long lastMessageNanos;
    /** The remote broker's Maximum Packet Size (5.0 CONNACK), 0 when it gave none. */
    private long remoteMaximumPacketSize;

    Bridge(BridgeConfig config, BrokerCore core, EventLoop loop, LoopOutbox outbox,
           Class<? extends SocketChannel> channelType, SslContext tls, int receiveMaximum) {
        this.config = config;
        this.core = core;
        this.loop = loop;
        this.outbox = outbox;
        this.channelType = channelType;
        this.tls = tls;
        this.topics = new TopicMap(config.topics());
        this.receiveMaximum = receiveMaximum;
        this.backoff = new Backoff(config.restart());
        this.version = switch (config.version()) {
            case MQTT_3_1 -> MqttVersion.MQTT_3_1;
            case MQTT_3_1_1 -> MqttVersion.MQTT_3_1_1;
            case MQTT_5 -> MqttVersion.MQTT_5;
        };
    }

    String name() {
        return config.name();
    }

    /**
     * The largest packet taken from the remote broker: {@code bridge_max_packet_size} (which a 5.0 remote is told),
     * else this broker's own {@code max_packet_size}, so a remote broker cannot send more in one packet than a
     * client could.
     */
    private int maxPacketSize() {
        long own = core.settings().maxPacketSize();
        long max = config.maxPacketSize() > 0 ? config.maxPacketSize() : own;
        return (int) Math.max(2, Math.min(max, io.starling.mqtt.codec.MqttDecoder.MAX_PACKET_SIZE_LIMIT));
    }

    BridgeStatus status() {
        return new BridgeStatus(config.name(), up, config.addresses().get(address).toString(), sent, received, connects);
    }

    /**
     * Starts, on the bridge's loop. With {@code local_cleansession false} the local session subscribes first and
     * goes offline at once, so that what is published for the remote broker queues from the start even when it
     * cannot be reached (mosquitto subscribes its bridges locally at start-up, before connecting).
     */
    void start() {
        loop.execute(() -> {
            notifyLocal(false);
            if (config.localCleanSession() && !lazy()) {
                connect();
            } else {
                state = State.PRIMING;
                connectLocal();
            }
        });
    }

    private boolean lazy() {
        return config.startType() == BridgeConfig.StartType.LAZY;
    }

    /**
     * The local session of a persistent (or lazy) bridge is subscribed: leave it offline, queueing, and connect out,
     * or, for a lazy bridge, wait until {@code threshold} messages are queued.
     */
    private void primed() {
        loop.execute(() -> { // not from inside the local session's own write
            if (lazy()) {
                Session s = core.sessions().get(config.localClientId());
                if (s != null) {
                    s.queueQos0WhileOffline(true); // mosquitto queues QoS 0 for a lazy bridge
                }
            }
            endLocal();
            if (lazy()) {
                awaitThreshold();
            } else {
                connect();
            }
        });
    }

    /** start_type lazy: connect once the local session holds {@code threshold} messages. */
    private void awaitThreshold() {
        state = State.LAZY;
        loop.schedule(() -> {
            if (state != State.LAZY) {
                return;
            }
            Session s = core.sessions().get(config.localClientId());
            int queued = s == null ? 0 : s.queuedCount();
            if (queued >= config.threshold()) {
                LOG.info("Bridge {}: {} messages queued (threshold {}); starting.", config.name(), queued, config.threshold());
                connect();
            } else {
                awaitThreshold();
            }
        }, LAZY_CHECK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** start_type lazy: while connected, stop after {@code idle_timeout} without a message either way. */
    private void watchIdle(Channel connected) {
        loop.schedule(() -> {
            if (remote != connected || state != State.RELAYING) {
                return;
            }
            long idle = System.nanoTime() - lastMessageNanos;
            if (idle >= config.idleTimeout().toNanos()) {
                LOG.info("Bridge {}: no messages for {} s; stopping until {} are queued (start_type lazy).", config.name(),
                        config.idleTimeout().toSeconds(), config.threshold());
                write(Disconnect.NORMAL);
                connected.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> connected.close());
            } else {
                watchIdle(connected);
            }
        }, LAZY_CHECK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Ends the bridge: DISCONNECT to the remote broker; the local session stays as a lost connection would leave it. */
    java.util.concurrent.CompletableFuture<Void> stop() {
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        loop.execute(() -> {
            state = State.STOPPED;
            Channel c = remote;
            if (c != null && c.isActive()) {
                write(Disconnect.NORMAL);
                c.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
                    c.close();
                    done.complete(null);
                });
            } else {
                done.complete(null);
            }
            endLocal();
        });
        return done;
    }

    // ---- the remote connection ----

    private void connect() {
        if (state == State.STOPPED) {
            return;
        }
        BridgeConfig.Address to = config.addresses().get(address);
        LOG.info("Connecting bridge {} ({}:{})", config.name(), to.host(), to.port());
        state = State.CONNECTING;
        Bootstrap b = new Bootstrap().group(loop).channel(channelType)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .handler(new RemotePipeline(this, tls, to, config.tls() != null && config.tls().insecure(),
                        config.keepalive(), version, maxPacketSize()));
        ChannelFuture f = config.bindAddress() != null
                ? b.connect(new InetSocketAddress(to.host(), to.port()), new InetSocketAddress(config.bindAddress(), 0))
                : b.connect(to.host(), to.port());
        remote = f.channel();
        f.addListener((ChannelFutureListener) done -> {
            if (!done.isSuccess()) {
                // A channel that never became active ends without channelInactive: try again from here.
                LOG.warn("Bridge {}: unable to connect to {}: {}", config.name(), to, reason(done.cause()));
                remoteInactive(done.channel(), null);
            }
        });
    }

    /** The TCP (and TLS) connection is up: CONNECT. */
    void remoteActive(Channel channel) {
        if (channel != remote) {
            return;
        }
        write(BridgePackets.remoteConnect(config, version, receiveMaximum));
        remote.flush();
    }

    /** A packet from the remote broker. */
    void fromRemote(Channel channel, Object read) {
        if (channel != remote) {
            if (read instanceof Publish p) {
                p.release();
            }
            return;
        }
        if (read == RemoteCodec.REFUSED_V5) {
            LOG.warn("Warning: Remote bridge {} does not support MQTT v5.0, reconnecting using MQTT v3.1.1.", config.name());
            version = MqttVersion.MQTT_3_1_1;
            backoff.reset();
            remote.close();
            return;
        }
        if (read instanceof io.starling.mqtt.codec.Malformed m) {
            LOG.warn("Bridge {}: malformed packet from the remote broker ({}); closing the connection.", config.name(),
                    m.reason());
            remote.close();
            return;
        }
        Packet packet = (Packet) read;
        switch (state) {
            case CONNECTING -> connAck(packet);
            case SUBSCRIBING, LOCAL_CONNECTING, LOCAL_SUBSCRIBING -> {
                if (packet instanceof SubAck || packet instanceof UnsubAck) {
                    remoteAck(packet);
                } else if (held.size() >= MAX_HELD || heldBytes >= MAX_HELD_BYTES) {
                    release(packet);
                    LOG.warn("Bridge {}: {} packets ({} bytes) from the remote broker waiting for this broker's session; "
                            + "starting over.", config.name(), held.size(), heldBytes);
                    remote.close();
                } else {
                    if (packet instanceof Publish p) {
                        heldBytes += p.payload().readableBytes();
                    }
                    held.add(packet);
                }
            }
            case RELAYING -> relayIn(packet);
            default -> release(packet);
        }
    }

    private void connAck(Packet packet) {
        if (!(packet instanceof ConnAck ack)) {
            release(packet);
            LOG.warn("Bridge {}: the remote broker sent {} before CONNACK; closing.", config.name(), packet.type());
            remote.close();
            return;
        }
        if (ack.reasonCode() != 0) {
            LOG.warn("Bridge {}: connection refused by {} ({}).", config.name(), config.addresses().get(address),
                    refusal(ack.reasonCode()));
            remote.close();
            return;
        }
        backoff.reset();
        remoteReceiveMaximum = (int) ack.properties().number(PropertyId.RECEIVE_MAXIMUM, 65535);
        remoteMaximumPacketSize = ack.properties().number(PropertyId.MAXIMUM_PACKET_SIZE, 0);
        LOG.info("Bridge {} connected to {} as {} ({}).", config.name(), config.addresses().get(address),
                config.remoteClientId(), version);
        if (BridgePackets.remoteNotifications(config)) {
            write(BridgePackets.remoteConnected(config));
        }
        if (!config.roundRobin() && address != 0) {
            probePrimary(remote);
        }
        state = State.SUBSCRIBING;
        pendingAcks = 0;
        Subscribe in = BridgePackets.remoteSubscribe(config, version);
        Unsubscribe outOnly = BridgePackets.remoteUnsubscribe(config);
        if (in != null) {
            write(in);
            pendingAcks++;
        }
        if (outOnly != null) {
            write(outOnly);
            pendingAcks++;
        }
        remote.flush();
        if (pendingAcks == 0) {
            connectLocal();
        }
    }

    /**
     * {@code round_robin false}: while connected to a later address, try the first one every restart interval and go
     * back to it as soon as it accepts a connection (the bridge reconnects, which starts from the first address).
     */
    private void probePrimary(Channel connected) {
        loop.schedule(() -> {
            if (remote != connected || !connected.isActive()) {
                return;
            }
            BridgeConfig.Address first = config.addresses().get(0);
            new Bootstrap().group(loop).channel(channelType)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
                    .handler(new io.netty.channel.ChannelInboundHandlerAdapter())
                    .connect(first.host(), first.port())
                    .addListener((ChannelFutureListener) probe -> {
                        if (probe.isSuccess()) {
                            probe.channel().close();
                            if (remote == connected) {
                                LOG.info("Bridge {}: {} answers again; going back to it.", config.name(), first);
                                backoff.reset();
                                connected.close();
                            }
                        } else {
                            probePrimary(connected);
                        }
                    });
        }, config.restart().base().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void remoteAck(Packet ack) {
        if (ack instanceof SubAck s) {
            for (int i = 0; i < s.reasonCodes().size(); i++) {
                if (s.reasonCodes().get(i) >= 0x80) {
                    LOG.warn("Bridge {}: the remote broker refused a subscription (reason code 0x{}).", config.name(),
                            Integer.toHexString(s.reasonCodes().get(i)));
                }
            }
        }
        if (--pendingAcks == 0 && state == State.SUBSCRIBING) {
            connectLocal();
        }
    }

    /** The remote connection ended (closed by either side, or never made): let the local session go, try again later. */
    void remoteInactive(Channel channel, String why) {
        if (channel != remote) {
            return;
        }
        remote = null;
        up = false;
        while (!held.isEmpty()) {
            release(held.poll());
        }
        heldBytes = 0;
        boolean wasUp = state == State.RELAYING || state == State.LOCAL_SUBSCRIBING || state == State.LOCAL_CONNECTING
                || state == State.SUBSCRIBING;
        endLocal();
        if (state == State.STOPPED) {
            return;
        }
        if (wasUp) {
            LOG.info("Bridge {} disconnected from {}{}.", config.name(), config.addresses().get(address),
                    why == null ? "" : ": " + why);
            notifyLocal(false);
        } else if (why != null) {
            LOG.warn("Bridge {}: connection to {} failed: {}.", config.name(), config.addresses().get(address), why);
        }
        nextAddress(wasUp);
        if (lazy()) {
            // Stopped (idle) or lost: wait for the threshold again; after a failed attempt, not before the backoff.
            state = State.IDLE;
            loop.schedule(this::awaitThreshold, wasUp ? 0 : backoff.next(), TimeUnit.MILLISECONDS);
            return;
        }
        if (config.startType() == BridgeConfig.StartType.ONCE) {
            LOG.info("Bridge {} has start_type once: not connecting again.", config.name());
            state = State.STOPPED;
            return;
        }
        state = State.IDLE;
        long wait = backoff.next();
        loop.schedule(this::connect, wait, TimeUnit.MILLISECONDS);
    }

    /** round_robin false: after a failure try the next address, and after a loss go back to the first. */
    private void nextAddress(boolean wasUp) {
        int n = config.addresses().size();
        if (config.roundRobin() || !wasUp) {
            address = (address + 1) % n;
        } else {
            address = 0;
        }
    }

    private void write(Packet packet) {
        Channel c = remote;
        if (c == null) {
            if (packet instanceof Publish p && p.payload().refCnt() > 0) {
                p.payload().release();
            }
            return;
        }
        ByteBuf encoded = MqttEncoder.encode(c.alloc(), packet, version);
        c.write(encoded, c.voidPromise());
    }

    void flushRemote() {
        if (remote != null) {
            remote.flush();
        }
    }

    boolean remoteWritable() {
        return remote != null && remote.isWritable();
    }

    void remoteWritabilityChanged(Channel channel) {
        if (channel == remote && remote.isWritable() && client != null && state == State.RELAYING) {
            client.onWritable();
        }
    }

    /** The local session stops or resumes taking packets: stop or resume reading from the remote broker. */
    void readRemote(boolean reading) {
        if (remote != null) {
            remote.config().setAutoRead(reading);
        }
    }

    void remoteReadComplete(Channel channel) {
        if (channel == remote && client != null) {
            client.onReadComplete();
        }
    }

    void keepaliveDue(Channel channel) {
        if (channel == remote) {
            write(PingReq.INSTANCE);
            remote.flush();
        }
    }

    // ---- the local session ----

    private void connectLocal() {
        if (state != State.PRIMING) {
            state = State.LOCAL_CONNECTING;
        }
        local = new LocalSide(this);
        client = new Client(core, local, outbox);
        boolean clean = config.localCleanSession() && !lazy(); // a lazy bridge's session queues while it is stopped
        client.onPacket(BridgePackets.localConnect(config, clean, Math.min(remoteReceiveMaximum, receiveMaximum),
                remoteMaximumPacketSize));
        client.flushNow();
    }

    /** A packet the local session sent the bridge. The packet stays the caller's. */
    void fromLocal(LocalSide side, Packet packet) {
        if (side != local) {
            return;
        }
        if (packet instanceof ConnAck ack) {
            localConnAck(ack);
        } else if (packet instanceof SubAck) {
            if (state == State.LOCAL_SUBSCRIBING) {
                relay();
            } else if (state == State.PRIMING) {
                primed();
            }
        } else if (packet instanceof Publish p) {
            relayOut(p);
        } else if (packet instanceof Disconnect d) {
            LOG.warn("Bridge {}: this broker ended the bridge's local session (reason code 0x{}).", config.name(),
                    Integer.toHexString(d.reasonCode()));
        } else if (remoteReady() && isAck(packet)) {
            write(packet);
        }
    }

    private void localConnAck(ConnAck ack) {
        boolean priming = state == State.PRIMING;
        if (ack.reasonCode() != 0) {
            LOG.warn("Bridge {}: this broker refused the bridge's local session {} (reason code 0x{}).", config.name(),
                    config.localClientId(), Integer.toHexString(ack.reasonCode()));
            if (priming) {
                primed();
            } else if (remote != null) {
                remote.close();
            }
            return;
        }
        if (!priming) {
            notifyLocal(true);
        }
        Subscribe out = BridgePackets.localSubscribe(config);
        if (out == null) {
            if (priming) {
                primed();
            } else {
                relay();
            }
            return;
        }
        if (!priming) {
            state = State.LOCAL_SUBSCRIBING;
        }
        client.onPacket(out);
        client.flushNow();
    }

    /** Both sessions are up: pass on what the remote broker sent meanwhile, and everything from now on. */
    private void relay() {
        state = State.RELAYING;
        connects++; // before up: a reader that sees up sees this connection counted
        up = true;
        lastMessageNanos = System.nanoTime();
        if (lazy()) {
            watchIdle(remote);
        }
        while (!held.isEmpty() && state == State.RELAYING) {
            relayIn(held.poll());
        }
        heldBytes = 0;
        if (client != null) {
            client.onReadComplete();
        }
    }

    private void relayIn(Packet packet) {
        if (packet instanceof Publish p) {
            String topic = topics.toLocal(p.topic());
            if (topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0 || topic.isEmpty()) {
                LOG.warn("Bridge {}: the remote broker sent a PUBLISH to '{}', not a topic name; closing the connection.",
                        config.name(), p.topic());
                p.release();
                remote.close();
                return;
            }
            Properties props = p.properties().without(PropertyId.SUBSCRIPTION_IDENTIFIER);
            lastMessageNanos = System.nanoTime();
            received++;
            client.onPacket(new Publish(p.dup(), p.qos(), p.retain(), topic, p.packetId(), props, p.payload()));
        } else if (isAck(packet)) {
            client.onPacket(packet);
        } else if (packet instanceof Disconnect d) {
            LOG.warn("Bridge {}: the remote broker sent DISCONNECT (reason code 0x{}).", config.name(),
                    Integer.toHexString(d.reasonCode()));
            remote.close();
        }
        // PINGRESP, and anything else a server may send, needs nothing.
    }

    private void relayOut(Publish p) {
        if (!remoteReady()) {
            // Only while priming (no remote connection): the message stays in the local session's inflight window
            // and goes again, with DUP, on the next local connection.
            return;
        }
        lastMessageNanos = System.nanoTime();
        String topic = topics.toRemote(p.topic());
        boolean retain = p.retain() && config.outgoingRetain();
        Properties props = version == MqttVersion.MQTT_5 ? p.properties() : Properties.EMPTY;
        Publish out = new Publish(p.dup(), p.qos(), retain, topic, p.packetId(), props, p.payload());
        ByteBuf payload = p.payload();
        if (payload.readableBytes() <= COPIED_PAYLOAD) {
            remote.write(MqttEncoder.encodePublishCopy(remote.alloc(), out, version), remote.voidPromise());
        } else {
            // As a client connection does: the header, then the message's payload shared, not copied (the
            // payload stays the message's; the duplicate holds its own reference until written).
            remote.write(MqttEncoder.encodePublishHeader(remote.alloc(), out, version), remote.voidPromise());
            remote.write(payload.retainedDuplicate(), remote.voidPromise());
        }
        if (!p.dup()) {
            sent++;
        }
    }

    /**
     * The remote session is connected and subscribed: what the local session sends may go out, including what it
     * sends again right after its CONNACK (inflight messages, PUBRELs), before its own SUBACK.
     */
    private boolean remoteReady() {
        return remote != null && (state == State.LOCAL_CONNECTING || state == State.LOCAL_SUBSCRIBING
                || state == State.RELAYING);
    }

    private static boolean isAck(Packet packet) {
        return switch (packet.type()) {
            case PUBACK, PUBREC, PUBREL, PUBCOMP -> true;
            default -> false;
        };
    }

    /** The core closed the local side (a violation, a takeover of the local client id, shutdown). */
    void localClosed(LocalSide side) {
        if (side == local && remote != null) {
            remote.close();
        }
    }

    /** Lets the local session go as a lost connection: it keeps queueing if it is persistent. */
    private void endLocal() {
        if (client != null) {
            LocalSide side = local;
            Client c = client;
            local = null;
            client = null;
            side.detach();
            c.onConnectionLost();
        }
    }

    /** The bridge's state on this broker: retained {@code 1} or {@code 0} on the notification topic. */
    private void notifyLocal(boolean connected) {
        if (!config.notifications().enabled()) {
            return;
        }
        Message m = new Message(config.notifications().topic(), QoS.AT_LEAST_ONCE, true,
                Unpooled.wrappedBuffer(new byte[] {(byte) (connected ? '1' : '0')}), Properties.EMPTY, "",
                Message.NEVER_EXPIRES);
        core.retained().put(m.retain());
        core.router().route(m);
        m.release();
    }

    private static void release(Packet packet) {
        if (packet instanceof Publish p) {
            p.release();
        }
    }

    private static String refusal(int code) {
        return switch (code) {
            case 1 -> "unacceptable protocol version";
            case 2 -> "identifier rejected";
            case 3 -> "broker unavailable";
            case 4 -> "bad user name or password";
            case 5 -> "not authorised";
            default -> "reason code 0x" + Integer.toHexString(code);
        };
    }

    /** What went wrong, in the words of the deepest cause (a TLS failure's is the certificate check). */
    static String reason(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        return m == null ? root.getClass().getSimpleName() : m;
    }
}
