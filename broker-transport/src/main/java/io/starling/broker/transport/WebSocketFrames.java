package io.starling.broker.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Between the WebSocket protocol handler and the MQTT decoder: binary frames (and their
 * continuations) in become the MQTT byte stream, whose packets may span frames or share one; MQTT
 * bytes out become binary frames. A text frame is a protocol error and closes the connection
 * (MQTT-6.0.0-1); a plain HTTP request that is no upgrade gets 400.
 */
final class WebSocketFrames extends ChannelDuplexHandler {
    private static final Logger LOG = LoggerFactory.getLogger("io.starling.broker.websockets");
    /** Subprotocols MQTT clients ask for: 3.1.1 and 5.0 say "mqtt", 3.1 said "mqttv3.1". */
    static final String SUBPROTOCOLS = "mqtt,mqttv3.1,mqttv3.1.1";

    static void addTo(ChannelPipeline p, int maxPacketSize) {
        p.addLast("http", new HttpServerCodec());
        p.addLast("httpAggregator", new HttpObjectAggregator(64 * 1024));
        p.addLast("webSocket", new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                .websocketPath("/")
                .checkStartsWith(true) // any path: clients use /mqtt, /ws, / ...
                .subprotocols(SUBPROTOCOLS)
                .maxFramePayloadLength(Math.max(maxPacketSize, 64 * 1024))
                .handleCloseFrames(true)
                .dropPongFrames(true)
                .build()));
        p.addLast("webSocketFrames", new WebSocketFrames());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof BinaryWebSocketFrame || msg instanceof ContinuationWebSocketFrame) {
            ctx.fireChannelRead(((WebSocketFrame) msg).content());
            return;
        }
        if (msg instanceof FullHttpRequest request) {
            LOG.debug("HTTP request for {} on a websockets listener without an upgrade: 400.", request.uri());
            request.release();
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (msg instanceof WebSocketFrame frame) {
            LOG.info("Client {} sent a {} over MQTT websockets: closing.", ctx.channel().remoteAddress(),
                    frame.getClass().getSimpleName());
            frame.release();
            ctx.writeAndFlush(new CloseWebSocketFrame(1003, "MQTT needs binary frames"))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf buf && buf.isReadable()) {
            ctx.write(new BinaryWebSocketFrame(buf), promise);
            return;
        }
        if (msg instanceof ByteBuf empty) {
            ReferenceCountUtil.release(empty);
            ctx.write(io.netty.buffer.Unpooled.EMPTY_BUFFER, promise); // used to flush-then-close
            return;
        }
        ctx.write(msg, promise);
    }
}
