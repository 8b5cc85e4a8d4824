package io.starling.broker.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.starling.broker.core.BrokerCore;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A plain TCP MQTT listener on one address and port. */
public final class TcpListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TcpListener.class);

    private final Channel serverChannel;

    private TcpListener(Channel serverChannel) {
        this.serverChannel = serverChannel;
    }

    /** Binds and starts accepting; port 0 picks a free port. */
    public static TcpListener bind(BrokerCore core, EventLoops loops, String host, int port) throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap()
                .group(loops.acceptors(), loops.workers())
                .channel(loops.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(512 * 1024, 1024 * 1024))
                .childHandler(new MqttPipeline(core, loops));
        ChannelFuture f = b.bind(new InetSocketAddress(host, port)).sync();
        TcpListener listener = new TcpListener(f.channel());
        LOG.info("Opening ipv{} listen socket on port {}.",
                listener.address().getAddress() instanceof java.net.Inet6Address ? 6 : 4, listener.address().getPort());
        return listener;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
    }
}
