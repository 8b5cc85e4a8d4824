package io.starling.broker.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.netty.channel.ChannelPipeline;
import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.RateLimitedLog;
import io.starling.broker.core.sys.Counter;
import io.starling.broker.core.sys.LoopCounters;

/**
 * Builds every connection's pipeline in one place: the transport's prefix ({@link TransportPrefix}:
 * nothing for TCP, TLS for TLS), then the MQTT part, the same for every transport: one handler that
 * cuts the bytes into packets, feeds the core and keeps the read timeout. In front of everything, until
 * the CONNECT is accepted, a {@link ConnectingGuard} bounds what a stranger may send.
 */
final class MqttPipeline extends ChannelInitializer<Channel> {
    private static final Logger LOG = LoggerFactory.getLogger(MqttPipeline.class);
    private static final RateLimitedLog CONNECTING_LOG = new RateLimitedLog(10);

    private final BrokerCore core;
    private final EventLoops loops;
    private final TransportPrefix prefix;
    private final CertificateUsername usernames;
    private final int maxConnections;
    private final ListenerOptions options;
    private final AtomicInteger open = new AtomicInteger();
    private final ConnectingBudget connecting;

    MqttPipeline(BrokerCore core, EventLoops loops, TransportPrefix prefix, CertificateUsername usernames,
                 ListenerOptions options) {
        this.core = core;
        this.loops = loops;
        this.prefix = prefix;
        this.usernames = usernames;
        this.maxConnections = options.maxConnections();
        this.options = options;
        this.connecting = new ConnectingBudget(core.settings().overload());
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
        if (!connecting.admit()) {
            core.overload().connectingBudget.increment();
            CONNECTING_LOG.warn(LOG, "Client connection from {} denied: {} connections have not finished CONNECT "
                    + "(max_connecting_clients).", ChannelConnection.format(ch.remoteAddress()), connecting.clients());
            ChannelConnection.abort(ch);
            return;
        }
        ChannelPipeline p = ch.pipeline();
        p.addLast(new ConnectingGuard(connecting, core.settings().overload().maxConnectBytes(), core.overload()));
        prefix.addTo(ch);
        p.addLast(HandlerNames.CLIENT, new ClientChannelHandler(ch, core, loops.outboxOf(ch.eventLoop()),
                loops.connectionsOf(ch.eventLoop()), counters, usernames, options));
    }
}
