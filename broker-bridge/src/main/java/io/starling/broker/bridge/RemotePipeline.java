package io.starling.broker.bridge;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.starling.broker.config.BridgeConfig;
import io.starling.mqtt.codec.MqttVersion;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * The remote connection's pipeline: TLS when configured (the server's host name checked against its certificate
 * unless {@code bridge_insecure}), keepalive (PINGREQ after {@code keepalive_interval} without sending; closed
 * after one and a half of it without hearing anything), {@link RemoteCodec}, and the handler that gives what
 * arrives to the {@link Bridge}.
 */
final class RemotePipeline extends ChannelInitializer<Channel> {
    private final Bridge bridge;
    private final SslContext tls;
    private final BridgeConfig.Address address;
    private final boolean insecure;
    private final int keepalive;
    private final MqttVersion version;
    private final int maxPacketSize;

    /** @param maxPacketSize the largest packet read from the remote broker; a larger one closes the connection */
    RemotePipeline(Bridge bridge, SslContext tls, BridgeConfig.Address address, boolean insecure, int keepalive,
                   MqttVersion version, int maxPacketSize) {
        this.bridge = bridge;
        this.tls = tls;
        this.address = address;
        this.insecure = insecure;
        this.keepalive = keepalive;
        this.version = version;
        this.maxPacketSize = maxPacketSize;
    }

    @Override
    protected void initChannel(Channel ch) {
        if (tls != null) {
            SSLEngine engine = tls.newEngine(ch.alloc(), address.host(), address.port());
            if (!insecure) {
                SSLParameters params = engine.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                engine.setSSLParameters(params);
            }
            ch.pipeline().addLast(new SslHandler(engine));
        }
        ch.pipeline().addLast(new IdleStateHandler(keepalive * 3 / 2, keepalive, 0));
        ch.pipeline().addLast(new RemoteCodec(version, maxPacketSize));
        ch.pipeline().addLast(new Handler());
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        private String why;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (tls == null) {
                bridge.remoteActive(ctx.channel());
            }
            ctx.fireChannelActive();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof io.netty.handler.ssl.SslHandshakeCompletionEvent done) {
                if (done.isSuccess()) {
                    bridge.remoteActive(ctx.channel());
                } else {
                    why = "TLS handshake failed: " + Bridge.reason(done.cause());
                    ctx.close();
                }
            } else if (evt instanceof IdleStateEvent idle) {
                if (idle.state() == IdleState.WRITER_IDLE) {
                    bridge.keepaliveDue(ctx.channel());
                } else if (idle.state() == IdleState.READER_IDLE) {
                    why = "nothing heard for " + keepalive * 3 / 2 + " s (keepalive)";
                    ctx.close();
                }
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            bridge.fromRemote(ctx.channel(), msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            bridge.remoteReadComplete(ctx.channel());
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            bridge.remoteWritabilityChanged(ctx.channel());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            why = Bridge.reason(cause);
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            bridge.remoteInactive(ctx.channel(), why);
        }
    }
}
