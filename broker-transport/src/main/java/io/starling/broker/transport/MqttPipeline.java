package io.starling.broker.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleStateHandler;
import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.BrokerSettings;
import java.util.concurrent.TimeUnit;

/**
 * Builds the MQTT part of every connection's pipeline, the same for every transport: a read timeout
 * (the CONNECT timeout, later replaced by the keepalive), the frame decoder, and the handler that
 * feeds the core. Transports (TLS, WebSocket) add their own handlers in front of it.
 */
final class MqttPipeline extends ChannelInitializer<Channel> {
    private final BrokerCore core;
    private final EventLoops loops;

    MqttPipeline(BrokerCore core, EventLoops loops) {
        this.core = core;
        this.loops = loops;
    }

    @Override
    protected void initChannel(Channel ch) {
        loops.connections().add(ch);
        BrokerSettings settings = core.settings();
        ChannelPipeline p = ch.pipeline();
        p.addLast(HandlerNames.IDLE, new IdleStateHandler(settings.connectTimeoutSeconds(), 0, 0, TimeUnit.SECONDS));
        p.addLast(HandlerNames.DECODER, new MqttFrameDecoder(settings.maxPacketSize()));
        p.addLast(HandlerNames.CLIENT, new ClientChannelHandler(core, loops.outboxOf(ch.eventLoop())));
    }
}
