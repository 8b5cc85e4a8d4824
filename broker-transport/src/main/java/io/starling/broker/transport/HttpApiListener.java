package io.starling.broker.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.ReferenceCountUtil;
import io.starling.broker.core.BrokerCore;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * mosquitto 2.1's {@code listener PORT} + {@code protocol http_api}: HTTP (or HTTPS with the
 * listener's certificate) on the broker's own event loops, answered by {@link HttpApiHandler}.
 * Requests are small GETs: the body limit is 8 KiB, and an idle connection closes after a minute.
 */
public final class HttpApiListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApiListener.class);

    private final Channel serverChannel;
    private final SslContext sslContext;

    private HttpApiListener(Channel serverChannel, SslContext sslContext) {
        this.serverChannel = serverChannel;
        this.sslContext = sslContext;
    }

    /** Binds and starts serving; port 0 picks a free port. */
    public static HttpApiListener bind(BrokerCore core, EventLoops loops, String host, int port, HttpApiOptions options)
            throws InterruptedException {
        SslContext sslContext = options.tls() == null ? null : TlsContexts.build(options.tls());
        TransportPrefix prefix = sslContext == null ? TransportPrefix.NONE : TransportPrefix.tls(sslContext);
        StaticFiles files = new StaticFiles(options.httpDir());
        CorsPolicy cors = new CorsPolicy(options.corsOrigins());
        ServerBootstrap b = new ServerBootstrap()
                .group(loops.workers(), loops.workers())
                .channel(loops.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        prefix.addTo(ch);
                        ch.pipeline().addLast("idle", new ReadTimeoutHandler(60));
                        addHttpHandlers(ch, core, options, files, cors);
                    }
                });
        ChannelFuture f;
        try {
            f = b.bind(new InetSocketAddress(host, port)).sync();
        } catch (InterruptedException | RuntimeException e) {
            ReferenceCountUtil.release(sslContext);
            throw e;
        }
        HttpApiListener listener = new HttpApiListener(f.channel(), sslContext);
        LOG.info("Opening http api listen socket on port {}.", listener.address().getPort()); // mosquitto 2.1's words
        if (options.httpDir() != null) {
            LOG.info("Using http_dir {}", options.httpDir());
        }
        return listener;
    }

    /** The HTTP part of the pipeline, after the TLS prefix and the idle timeout (also what the fuzz test runs). */
    static void addHttpHandlers(Channel ch, BrokerCore core, HttpApiOptions options, StaticFiles files) {
        addHttpHandlers(ch, core, options, files, new CorsPolicy(options.corsOrigins()));
    }

    static void addHttpHandlers(Channel ch, BrokerCore core, HttpApiOptions options, StaticFiles files, CorsPolicy cors) {
        ch.pipeline().addLast("http", new HttpServerCodec())
                .addLast("httpAggregator", new HttpObjectAggregator(8 * 1024))
                .addLast("httpApi", new HttpApiHandler(core, options, files, cors));
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        ReferenceCountUtil.release(sslContext);
    }
}
