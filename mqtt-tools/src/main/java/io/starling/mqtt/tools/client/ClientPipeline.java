package io.starling.mqtt.tools.client;

import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.ssl.SslHandler;
import io.starling.mqtt.codec.MqttDecoder;
import io.starling.mqtt.codec.MqttVersion;
import java.net.URI;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * Builds the client's pipeline in one place. Transports differ only in the prefix:
 * <pre>
 *   [tls] [http, http-aggregator, websocket, websocket-frames]  frame-decoder  (keepalive)  client
 * </pre>
 * The keepalive handler is added before "client" once the CONNACK has fixed the interval.
 */
final class ClientPipeline {
    static final String TLS = "tls";
    static final String HTTP = "http";
    static final String HTTP_AGGREGATOR = "http-aggregator";
    static final String WEBSOCKET = "websocket";
    static final String WEBSOCKET_FRAMES = "websocket-frames";
    static final String FRAME_DECODER = "frame-decoder";
    static final String KEEPALIVE = "keepalive";
    static final String CLIENT = "client";

    /** Large enough for any packet the protocol can express; the decoder enforces the real limit. */
    private static final int MAX_WEBSOCKET_FRAME = MqttDecoder.MAX_PACKET_SIZE_LIMIT;

    private ClientPipeline() {
    }

    static void build(SocketChannel channel, ClientOptions options, MqttDecoder decoder, ClientHandler handler) {
        ChannelPipeline p = channel.pipeline();
        if (options.tls() != null) {
            SSLEngine engine = options.tls().newEngine(channel.alloc(), options.host(), options.port());
            if (options.verifyHostname()) {
                SSLParameters parameters = engine.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                engine.setSSLParameters(parameters);
            }
            p.addLast(TLS, new SslHandler(engine));
        }
        if (options.webSocketPath() != null) {
            p.addLast(HTTP, new HttpClientCodec());
            p.addLast(HTTP_AGGREGATOR, new HttpObjectAggregator(8192));
            p.addLast(WEBSOCKET, new WebSocketClientProtocolHandler(WebSocketClientHandshakerFactory.newHandshaker(
                    webSocketUri(options), WebSocketVersion.V13, subprotocol(options.version()), false,
                    new DefaultHttpHeaders(), MAX_WEBSOCKET_FRAME)));
            p.addLast(WEBSOCKET_FRAMES, new WebSocketFrames());
        }
        p.addLast(FRAME_DECODER, new PacketFrameDecoder(decoder));
        p.addLast(CLIENT, handler);
    }

    /** The WebSocket subprotocol of MQTT 3.1.1 and 5.0 (§6), and the one 3.1 clients offered. */
    static String subprotocol(MqttVersion version) {
        return version == MqttVersion.MQTT_3_1 ? "mqttv3.1" : "mqtt";
    }

    static URI webSocketUri(ClientOptions options) {
        String host = options.host().indexOf(':') >= 0 ? "[" + options.host() + "]" : options.host();
        return URI.create((options.tls() == null ? "ws://" : "wss://") + host + ":" + options.port()
                + options.webSocketPath());
    }
}
