package io.starling.broker.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.netty.channel.ChannelPipeline;
import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.BrokerSettings;
import io.starling.broker.core.sys.Counter;
import io.starling.broker.core.sys.LoopCounters;

/**
 * Builds every connection's pipeline in one place: the transport's prefix ({@link TransportPrefix}:
 * nothing for TCP, TLS for TLS), then the MQTT part, the same for every transport: one handler that
 * cuts the bytes into packets, feeds the core and keeps the read timeout.
 */
final class MqttPipeline extends ChannelInitializer<Channel> {
    private static final Logger LOG = LoggerFactory.getLogger(MqttPipeline.class);

    private final BrokerCore core;
    private final EventLoops loops;
    private final TransportPrefix prefix;
    private final CertificateUsername usernames;
    private final int maxConnections;
    private final ListenerOptions options;
    private final AtomicInteger open = new AtomicInteger();

    MqttPipeline(BrokerCore core, EventLoops loops, TransportPrefix prefix, CertificateUsername usernames,
                 ListenerOptions options) {
        this.core = core;
        this.loops = loops;
        this.prefix = prefix;
        this.usernames = usernames;
        this.maxConnections = options.maxConnections();
        this.options = options;
    }

    @Override
    protected void initChannel(Channel ch) {
        if (maxConnections >= 0 && open.incrementAndGet() > maxConnections) {
            open.decrementAndGet();
            LOG.info("Client connection from {} denied: max_connections exceeded.", ChannelConnection.format(ch.remoteAddress()));
            ch.close();
            return;
        }
        if (maxConnections >= 0) {
            ch.closeFuture().addListener(f -> open.decrementAndGet());
        }
        LoopCounters counters = core.counters().local(); // initChannel runs on the channel's loop
        counters.increment(Counter.SOCKETS_OPENED);
        BrokerSettings settings = core.settings();
        prefix.addTo(ch);
        ChannelPipeline p = ch.pipeline();
        p.addLast(HandlerNames.CLIENT, new ClientChannelHandler(core, loops.outboxOf(ch.eventLoop()),
                loops.connectionsOf(ch.eventLoop()), new PacketStream(settings.maxPacketSize(), counters), usernames, options));
    }
}
