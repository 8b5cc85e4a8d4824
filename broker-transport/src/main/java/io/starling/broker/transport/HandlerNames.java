package io.starling.broker.transport;

/** Names of the handlers in a connection's pipeline, so that code finds them by constant, not by string. */
final class HandlerNames {
    private HandlerNames() {
    }

    /** The transport prefix of a TLS listener: Netty's {@code SslHandler}. */
    static final String TLS = "tls";
    static final String CLIENT = "client";
}
