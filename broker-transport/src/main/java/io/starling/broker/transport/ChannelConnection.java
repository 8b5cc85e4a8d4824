package io.starling.broker.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.ssl.SslHandler;
import io.starling.broker.core.OverloadCounters;
import io.starling.broker.core.RateLimitedLog;
import io.starling.broker.core.protocol.Connection;
import io.starling.broker.core.sys.BrokerCounters;
import io.starling.broker.core.sys.Counter;
import io.starling.broker.core.sys.LoopCounters;
import io.starling.mqtt.codec.MqttEncoder;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Packet;
import io.starling.mqtt.codec.Publish;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.LoggerFactory;

/**
 * The core's {@link Connection} over a Netty channel. Packets are encoded straight into pooled
 * buffers and written without a pipeline encoder; a PUBLISH payload goes out as a retained duplicate
 * of the shared buffer. Threading: the channel's event loop.
 *
 * <p>Output is bounded (issue 14): reading stops while the channel is unwritable (the handler does
 * that), and a connection whose unsent output still grows past {@code max_outgoing_bytes} is closed
 * at once. A close lets what was written leave for {@link #CLOSE_GRACE_MILLIS} at most; a peer that
 * is not reading gets a reset instead of keeping an established socket with its unsent output.
 *
 * <p>The connection's handler ({@link ClientChannelHandler}) extends it, and it extends the
 * connection's {@link PacketStream}: one idle connection is one object with the channel, the listener's
 * options and the loop's counters once, not four objects each holding their own references to them
 * (issue 16: heap per connection). The read timeout and pausing, the overload counters and the
 * output limit are the handler's ({@link #setReadTimeout}, {@link #setReading}, {@link #connected},
 * {@link #overload}, {@link #maxOutgoingBytes}).
 */
abstract class ChannelConnection extends PacketStream implements Connection {
    /** Payloads up to this many bytes are copied into each delivery; larger ones are shared. */
    static final int COPIED_PAYLOAD = 256;
    /** How long a closing connection may take to send its last packets (a DISCONNECT) before it is reset. */
    static final long CLOSE_GRACE_MILLIS = 1000;
    private static final RateLimitedLog OVERFLOW_LOG = new RateLimitedLog(10);

    final Channel channel;
    final CertificateUsername usernames;
    final ListenerOptions options;
    /** The version packets are encoded in (the decoder keeps its own: the one it reads in). */
    private MqttVersion writeVersion = MqttVersion.MQTT_3_1_1;
    private boolean overflowed;

    /**
     * @param maxPacketSize the largest packet read
     * @param maxConnectSize the largest packet read before a CONNECT
     * @param counters the counters of the channel's loop: bytes read and written
     */
    ChannelConnection(Channel channel, int maxPacketSize, int maxConnectSize, LoopCounters counters,
                      CertificateUsername usernames, ListenerOptions options) {
        super(maxPacketSize, maxConnectSize, counters);
        this.channel = channel;
        this.usernames = usernames;
        this.options = options;
    }

    /** Counts the closes that had to reset the connection and the outgoing overflows. */
    abstract OverloadCounters overload();

    /** Unsent bytes above which the connection is closed; 0 for no limit. */
    abstract long maxOutgoingBytes();

    /** A connection whose counts go nowhere, that reads nothing and keeps no read timeout: for tests of the connection alone. */
    static ChannelConnection standalone(Channel channel, CertificateUsername usernames) {
        OverloadCounters overload = new OverloadCounters();
        return new ChannelConnection(channel, 1 << 20, 1 << 20, new BrokerCounters().local(), usernames,
                ListenerOptions.PLAIN) {
            @Override
            OverloadCounters overload() {
                return overload;
            }

            @Override
            long maxOutgoingBytes() {
                return 0;
            }

            @Override
            public void setReadTimeout(long millis) {
            }

            @Override
            public void setReading(boolean reading) {
                channel.config().setAutoRead(reading);
            }
        };
    }

    @Override
    public void write(Packet packet) {
        if (overOutgoingLimit()) {
            return; // being closed: what the peer did not take would only pile up
        }
        if (packet instanceof Publish p && p.payload().isReadable()) {
            if (p.payload().readableBytes() <= COPIED_PAYLOAD) {
                // A small payload is copied after the header: one buffer, one write, instead of a slice of the
                // shared payload, a second outbound entry and a second iovec (measured: docs/benchmarks.md).
                ByteBuf whole = PublishHeaders.withPayloadCopy(channel.alloc(), p, writeVersion);
                counters.add(Counter.BYTES_SENT, whole.readableBytes());
                channel.write(whole, channel.voidPromise());
                return;
            }
            if (!options.webSocket()) {
                // Header and shared payload as two writes: the socket gathers them (writev) at the flush,
                // and no composite buffer is built per delivery. A WebSocket keeps one frame per packet.
                ByteBuf header = PublishHeaders.of(channel.alloc(), p, writeVersion);
                ByteBuf payload = p.payload().retainedDuplicate();
                counters.add(Counter.BYTES_SENT, header.readableBytes() + payload.readableBytes());
                channel.write(header, channel.voidPromise());
                channel.write(payload, channel.voidPromise());
                return;
            }
        }
        ByteBuf encoded = MqttEncoder.encode(channel.alloc(), packet, writeVersion);
        counters.add(Counter.BYTES_SENT, encoded.readableBytes());
        channel.write(encoded, channel.voidPromise());
    }

    /** True once the unsent output is over {@code max_outgoing_bytes}; the first time, closes the connection. */
    private boolean overOutgoingLimit() {
        if (overflowed) {
            return true;
        }
        long maxOutgoingBytes = maxOutgoingBytes();
        if (maxOutgoingBytes == 0) {
            return false;
        }
        ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
        if (out == null || out.totalPendingWriteBytes() <= maxOutgoingBytes) {
            return false;
        }
        overflowed = true;
        overload().outgoingOverflow.increment();
        OVERFLOW_LOG.warn(LoggerFactory.getLogger("io.starling.broker"), "Client connection from {} closed: {} bytes unsent is over max_outgoing_bytes {}.",
                remoteAddress(), out.totalPendingWriteBytes(), maxOutgoingBytes);
        abort(channel);
        return true;
    }

    @Override
    public void flush() {
        channel.flush();
    }

    @Override
    public boolean isWritable() {
        return channel.isWritable();
    }

    /**
     * Closes after what was written has left, within {@link #CLOSE_GRACE_MILLIS}; at once (with a reset)
     * when the peer is not reading what we have for it already.
     */
    @Override
    public void close() {
        if (!channel.isActive()) {
            channel.close();
        } else if (!channel.isWritable()) {
            overload().closeAborted.increment();
            abort(channel);
        } else {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            channel.eventLoop().schedule(() -> {
                if (channel.isOpen()) {
                    overload().closeAborted.increment();
                    abort(channel);
                }
            }, CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Closes at once, dropping unsent output: with SO_LINGER 0 the peer gets a reset, and the kernel keeps
     * no orphaned socket trying to deliver to a peer that does not read.
     */
    static void abort(Channel channel) {
        if (channel.isOpen()) {
            try {
                channel.config().setOption(ChannelOption.SO_LINGER, 0);
            } catch (RuntimeException e) {
                // not a socket (an embedded channel in tests): a plain close
            }
            channel.close();
        }
    }

    @Override
    public String remoteAddress() {
        return format(channel.remoteAddress());
    }

    @Override
    public int localPort() {
        SocketAddress local = channel.localAddress();
        return local instanceof InetSocketAddress inet ? inet.getPort() : 0;
    }

    @Override
    public void setProtocolVersion(MqttVersion version) {
        this.writeVersion = version;
    }

    /**
     * Whether the listener takes user names from client certificates ({@code use_identity_as_username}
     * or {@code use_subject_as_username}). Then the CONNECT's user name and password do not count,
     * and a client for which {@link #tlsUsername()} is null must be refused with "bad user name or
     * password", as mosquitto does.
     */
    @Override
    public boolean usernameFromCertificate() {
        return usernames != CertificateUsername.NONE;
    }

    /**
     * The user name the client's verified certificate gives (its CN, or its whole subject), or null:
     * when the listener does not take names from certificates, or the client showed none (no
     * {@code require_certificate}), or it has no CN. Valid once the TLS handshake is done, which it
     * is before any MQTT packet arrives.
     */
    @Override
    public String tlsUsername() {
        if (usernames == CertificateUsername.NONE || !(channel.pipeline().get(HandlerNames.TLS) instanceof SslHandler tls)) {
            return null;
        }
        try {
            Certificate[] peer = tls.engine().getSession().getPeerCertificates();
            return peer.length > 0 && peer[0] instanceof X509Certificate cert ? usernames.of(cert) : null;
        } catch (SSLPeerUnverifiedException e) {
            return null; // no client certificate
        }
    }

    static String format(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return inet.getAddress().getHostAddress() + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    @Override
    public String mountPoint() {
        return options.mountPoint();
    }

    @Override
    public io.starling.broker.core.auth.SecurityRules security() {
        return options.security();
    }

    @Override
    public io.starling.broker.core.ListenerSettings listenerSettings() {
        return options.settings() == null ? null : options.settings().get();
    }
}
