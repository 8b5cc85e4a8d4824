package io.starling.broker.server;

import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.ListenerConfig;
import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.BrokerSettings;
import io.starling.broker.core.auth.Authenticator;
import io.starling.broker.core.store.memory.InMemoryRetainedStore;
import io.starling.broker.core.time.Clock;
import io.starling.broker.transport.EventLoops;
import io.starling.broker.transport.TcpListener;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running broker: the composition root that wires config, core and transports. Embeddable:
 * {@code try (Broker b = Broker.start(config)) { ... }}; the integration tests use exactly this.
 */
public final class Broker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Broker.class);

    private final BrokerCore core;
    private final EventLoops loops;
    private final List<TcpListener> listeners;

    private Broker(BrokerCore core, EventLoops loops, List<TcpListener> listeners) {
        this.core = core;
        this.loops = loops;
        this.listeners = listeners;
    }

    /** Starts a broker; with no listener configured it listens on localhost:1883, as mosquitto 2 does. */
    public static Broker start(BrokerConfig config) throws InterruptedException {
        // Mosquitto 2: anonymous clients are allowed by default only when no listener is configured.
        boolean allowAnonymous = config.allowAnonymous() != null ? config.allowAnonymous() : config.listeners().isEmpty();
        BrokerCore core = new BrokerCore(settingsOf(config), Clock.SYSTEM, new InMemoryRetainedStore(),
                Authenticator.anonymous(allowAnonymous));
        EventLoops loops = new EventLoops(Runtime.getRuntime().availableProcessors());
        List<TcpListener> bound = new ArrayList<>();
        try {
            List<ListenerConfig> wanted = config.listeners();
            if (wanted.isEmpty()) {
                LOG.info("Starting in local only mode. Connections will only be possible from clients running on this machine.");
                bound.add(TcpListener.bind(core, loops, "127.0.0.1", 1883));
            }
            for (ListenerConfig l : wanted) {
                bound.add(TcpListener.bind(core, loops, l.address() == null ? "0.0.0.0" : l.address(), l.port()));
            }
        } catch (InterruptedException | RuntimeException e) {
            bound.forEach(TcpListener::close);
            loops.close();
            core.close();
            throw e;
        }
        return new Broker(core, loops, bound);
    }

    static BrokerSettings settingsOf(BrokerConfig c) {
        BrokerSettings d = BrokerSettings.defaults();
        return new BrokerSettings(c.maxInflightMessages(), c.maxQueuedMessages(), c.maxQueuedBytes(),
                c.queueQos0Messages(), c.maxPacketSize() == 0 ? BrokerSettings.PROTOCOL_MAX_PACKET_SIZE : c.maxPacketSize(),
                c.messageSizeLimit(), c.maxKeepalive(), c.allowZeroLengthClientId(), c.autoIdPrefix(),
                d.maxTopicLevels(), c.retainAvailable(), d.connectTimeoutSeconds());
    }

    /** The port of the first listener (the one a test asked for with port 0). */
    public int port() {
        return listeners.get(0).address().getPort();
    }

    public List<InetSocketAddress> addresses() {
        List<InetSocketAddress> out = new ArrayList<>();
        listeners.forEach(l -> out.add(l.address()));
        return out;
    }

    public BrokerCore core() {
        return core;
    }

    /** Stops listening, disconnects every client, and releases everything. */
    @Override
    public void close() {
        LOG.info("Starling shutting down.");
        core.beginShutdown();
        listeners.forEach(TcpListener::close);
        loops.close();
        core.close();
    }
}
