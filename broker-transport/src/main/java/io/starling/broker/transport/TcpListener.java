package io.starling.broker.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import io.starling.broker.core.BrokerCore;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** An MQTT listener on one address and port, over plain TCP or over TLS. */
public final class TcpListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TcpListener.class);
    /**
     * TCP keepalive on accepted sockets: a peer silent for 5 minutes is probed every 30 s and dropped
     * after 4 unanswered probes (Linux's default would wait 2 hours before the first probe).
     */
    static final int KEEPALIVE_IDLE_SECONDS = 300;
    static final int KEEPALIVE_INTERVAL_SECONDS = 30;
    static final int KEEPALIVE_PROBES = 4;

    private final Channel serverChannel;
    /** Null for plain TCP. */
    private final TlsSettings tls;
    /** The context new connections get; null for plain TCP. {@link #reloadCertificates} replaces it. */
    private final AtomicReference<SslContext> sslContext;

    private TcpListener(Channel serverChannel, TlsSettings tls, AtomicReference<SslContext> sslContext) {
        this.serverChannel = serverChannel;
        this.tls = tls;
        this.sslContext = sslContext;
    }

    /** Binds a plain TCP listener and starts accepting; port 0 picks a free port. */
    public static TcpListener bind(BrokerCore core, EventLoops loops, String host, int port) throws InterruptedException {
        return bind(core, loops, host, port, ListenerOptions.PLAIN);
    }

    /**
     * Binds and starts accepting; port 0 picks a free port.
     *
     * @param tls the listener's TLS settings, or null for plain TCP
     * @throws TlsSetupException before binding, when the TLS files or choices are not usable
     */
    public static TcpListener bind(BrokerCore core, EventLoops loops, String host, int port, TlsSettings tls)
            throws InterruptedException {
        return bind(core, loops, host, port, new ListenerOptions(tls, -1, ""));
    }

    /** Binds and starts accepting with the listener's TLS, connection limit and mount point. */
    public static TcpListener bind(BrokerCore core, EventLoops loops, String host, int port, ListenerOptions options)
            throws InterruptedException {
        TlsSettings tls = options.tls();
        AtomicReference<SslContext> sslContext = new AtomicReference<>(tls == null ? null : TlsContexts.build(tls));
        TransportPrefix prefix = tls == null ? TransportPrefix.NONE : TransportPrefix.tls(sslContext::get);
        if (options.webSocket()) {
            prefix = prefix.then(TransportPrefix.webSocket(core.settings().maxPacketSize()));
        }
        CertificateUsername usernames = tls == null ? CertificateUsername.NONE : tls.certificateUsername();
        ServerBootstrap b = new ServerBootstrap()
                .group(loops.workers(), loops.workers())
                .channel(loops.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(512 * 1024, 1024 * 1024))
                // One sizing policy for all connections, with a handle each of 32 bytes, not Netty's 88.
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, ReceiveSizing.INSTANCE)
                .childHandler(new MqttPipeline(core, loops, prefix, usernames, options));
        // No Nagle delay, and TCP keepalive: a client with keepalive 0 whose host died is found by TCP
        // instead (issue 14).
        if (loops.isEpoll()) {
            // On the listening socket, whose options Linux copies to every socket it accepts: five
            // setsockopt calls fewer per connection than setting them on each (issue 16: connect storms).
            b.option(ListeningSocketOptions.TCP_NODELAY, 1)
                    .option(ListeningSocketOptions.SO_KEEPALIVE, 1)
                    .option(ListeningSocketOptions.TCP_KEEPIDLE, KEEPALIVE_IDLE_SECONDS)
                    .option(ListeningSocketOptions.TCP_KEEPINTVL, KEEPALIVE_INTERVAL_SECONDS)
                    .option(ListeningSocketOptions.TCP_KEEPCNT, KEEPALIVE_PROBES);
        } else {
            b.childOption(ChannelOption.TCP_NODELAY, true).childOption(ChannelOption.SO_KEEPALIVE, true);
        }
        ChannelFuture f;
        try {
            f = b.bind(new InetSocketAddress(host, port)).sync();
        } catch (InterruptedException | RuntimeException e) {
            ReferenceCountUtil.release(sslContext.get());
            throw e;
        }
        TcpListener listener = new TcpListener(f.channel(), tls, sslContext);
        if (options.webSocket()) {
            LOG.info("Opening websockets listen socket on port {}.", listener.address().getPort()); // mosquitto's words
        } else {
            LOG.info("Opening ipv{} listen socket on port {}.",
                    listener.address().getAddress() instanceof java.net.Inet6Address ? 6 : 4, listener.address().getPort());
        }
        if (tls != null) {
            LOG.debug("Port {} speaks TLS ({} provider, {} and newer).", listener.address().getPort(),
                    TlsContexts.providerFor(tls), tls.tlsVersion().mosquittoName());
        }
        return listener;
    }

    /** The listening socket's channel: for tests of its options. */
    Channel serverChannel() {
        return serverChannel;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Whether clients speak TLS on this listener. */
    public boolean isTls() {
        return tls != null;
    }

    /**
     * Reads the certificate, key and CA files again (SIGHUP: mosquitto 2.0 reloads its listeners'
     * certificates from the same paths) and gives new connections the new context; open connections
     * keep theirs. Call while the event loops are held between reads, so that no connection is being
     * set up with the context this releases.
     *
     * @throws TlsSetupException when the files are not usable: the old context stays
     */
    public void reloadCertificates() {
        if (tls == null) {
            return;
        }
        SslContext next = TlsContexts.build(tls);
        ReferenceCountUtil.release(sslContext.getAndSet(next)); // connections still open hold their own reference
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        ReferenceCountUtil.release(sslContext.getAndSet(null)); // connections still open hold their own reference
    }
}
