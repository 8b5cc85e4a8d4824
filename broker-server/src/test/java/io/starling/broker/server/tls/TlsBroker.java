package io.starling.broker.server.tls;

import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.BrokerSettings;
import io.starling.broker.core.auth.Authenticator;
import io.starling.broker.core.store.memory.InMemoryRetainedStore;
import io.starling.broker.core.time.Clock;
import io.starling.broker.transport.EventLoops;
import io.starling.broker.transport.TcpListener;
import io.starling.broker.transport.TlsSettings;

/**
 * A broker with one TLS listener on a free loopback port, put together from its parts as the server
 * will once the config carries TLS options: core, event loops, {@code TcpListener.bind(..., tls)}.
 * Every client is let in unless the test gives an {@link Authenticator}.
 */
final class TlsBroker implements AutoCloseable {
    private final BrokerCore core;
    private final EventLoops loops;
    private final TcpListener listener;

    private TlsBroker(BrokerCore core, EventLoops loops, TcpListener listener) {
        this.core = core;
        this.loops = loops;
        this.listener = listener;
    }

    static TlsBroker start(TlsSettings tls) throws InterruptedException {
        return start(tls, Authenticator.anonymous(true));
    }

    static TlsBroker start(TlsSettings tls, Authenticator authenticator) throws InterruptedException {
        BrokerCore core = new BrokerCore(BrokerSettings.defaults(), Clock.SYSTEM, new InMemoryRetainedStore(), authenticator);
        EventLoops loops = new EventLoops(2);
        try {
            return new TlsBroker(core, loops, TcpListener.bind(core, loops, "127.0.0.1", 0, tls));
        } catch (InterruptedException | RuntimeException e) {
            loops.close();
            core.close();
            throw e;
        }
    }

    int port() {
        return listener.address().getPort();
    }

    /** The URI Paho connects to. */
    String uri() {
        return "ssl://127.0.0.1:" + port();
    }

    @Override
    public void close() {
        core.beginShutdown();
        listener.close();
        loops.close();
        core.close();
    }
}
