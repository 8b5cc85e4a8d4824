package io.starling.broker.transport;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;

/**
 * What one kind of listener puts in front of the MQTT handlers {@link MqttPipeline} adds: nothing for
 * plain TCP, the TLS handler for TLS (and, later, the HTTP upgrade and WebSocket framing). This is
 * the only thing that differs between transports.
 */
@FunctionalInterface
interface TransportPrefix {
    /** Plain TCP. */
    TransportPrefix NONE = ch -> { };

    /** Adds this transport's handlers, named by {@link HandlerNames} constants, to a new channel's pipeline. */
    void addTo(Channel ch);

    /** TLS: one {@code SslHandler} per connection, from the listener's context. */
    static TransportPrefix tls(SslContext context) {
        return tls(() -> context);
    }

    /** TLS from the context in force when the connection opens (a reload may replace the certificate). */
    static TransportPrefix tls(java.util.function.Supplier<SslContext> context) {
        return ch -> ch.pipeline().addLast(HandlerNames.TLS, context.get().newHandler(ch.alloc()));
    }

    /** This prefix, then what {@code next} adds. */
    default TransportPrefix then(TransportPrefix next) {
        return ch -> {
            addTo(ch);
            next.addTo(ch);
        };
    }

    /**
     * MQTT over WebSocket (MQTT 5 §6): an HTTP upgrade on any path with subprotocol {@code mqtt} (or
     * 3.1's {@code mqttv3.1}), then binary frames carry the byte stream, split and joined anyhow.
     */
    static TransportPrefix webSocket(int maxPacketSize) {
        return ch -> WebSocketFrames.addTo(ch.pipeline(), maxPacketSize);
    }
}
