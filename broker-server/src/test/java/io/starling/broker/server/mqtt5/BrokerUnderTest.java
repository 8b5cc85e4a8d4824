package io.starling.broker.server.mqtt5;

import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.Limits;
import io.starling.broker.config.ListenerConfig;
import io.starling.broker.core.BrokerCore;
import io.starling.broker.server.Broker;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real broker on a free loopback port, started once per test class and stopped after it:
 * {@code @RegisterExtension static final BrokerUnderTest broker = new BrokerUnderTest();}. Tests of
 * one class share it, so each test uses its own client ids and topics. A test that must stop its
 * broker, or needs other settings, starts a {@link Dedicated} one.
 *
 * <p>After the class the broker is closed, and the class fails if Netty's leak detector reported a
 * leaked buffer meanwhile (DESIGN.md, decision 3).
 */
final class BrokerUnderTest implements BeforeAllCallback, AfterAllCallback {
    private Broker broker;

    /** Mosquitto 2.0 defaults on a free loopback port, with anonymous clients allowed. */
    static BrokerConfig loopback() {
        return BrokerConfig.defaults().withListeners(List.of(new ListenerConfig(0, "127.0.0.1")))
                .withAllowAnonymous(true);
    }

    private static Broker start(UnaryOperator<BrokerConfig> configure)
            throws InterruptedException, Broker.StartException {
        return Broker.start(configure.apply(loopback()));
    }

    /** A dedicated broker that a test stops itself; closing it again afterwards does nothing. */
    static final class Dedicated implements AutoCloseable {
        private final Broker broker;
        private boolean stopped;

        Dedicated(UnaryOperator<BrokerConfig> configure) throws InterruptedException, Broker.StartException {
            broker = start(configure);
        }

        int port() {
            return broker.port();
        }

        String uri() {
            return BrokerUnderTest.uri(broker);
        }

        /** Stops the broker: its clients are disconnected (0x8B for 5.0 ones). */
        void stop() {
            if (!stopped) {
                stopped = true;
                broker.close();
            }
        }

        @Override
        public void close() {
            stop();
        }
    }

    /** The config with {@code max_packet_size} set. */
    static BrokerConfig withMaxPacketSize(BrokerConfig c, int maxPacketSize) {
        Limits l = c.limits();
        return withLimits(c, new Limits(l.maxInflightMessages(), l.maxInflightBytes(), l.maxQueuedMessages(),
                l.maxQueuedBytes(), l.queueQos0Messages(), l.messageSizeLimit(), maxPacketSize, l.maxKeepalive(),
                l.maxSubscribeFilters()));
    }

    /** The config with {@code max_keepalive} set. */
    static BrokerConfig withMaxKeepalive(BrokerConfig c, int maxKeepalive) {
        Limits l = c.limits();
        return withLimits(c, new Limits(l.maxInflightMessages(), l.maxInflightBytes(), l.maxQueuedMessages(),
                l.maxQueuedBytes(), l.queueQos0Messages(), l.messageSizeLimit(), l.maxPacketSize(), maxKeepalive,
                l.maxSubscribeFilters()));
    }

    private static BrokerConfig withLimits(BrokerConfig c, Limits limits) {
        return new BrokerConfig(c.listeners(), c.perListenerSettings(), c.security(), limits, c.persistence(),
                c.logging(), c.persistentClientExpiration(), c.retainAvailable(), c.upgradeOutgoingQos(),
                c.checkRetainSource(), c.setTcpNodelay(), c.sysInterval(), c.clientidPrefixes(), c.pidFile(), c.user(), c.warnings());
    }

    static String uri(Broker broker) {
        return "tcp://127.0.0.1:" + broker.port();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        LeakCheck.install();
        broker = start(UnaryOperator.identity());
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        if (broker != null) {
            broker.close();
            broker = null;
        }
        List<String> leaks = LeakCheck.collect();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " leaked buffer(s) reported:\n" + String.join("\n\n", leaks));
        }
    }

    int port() {
        return broker.port();
    }

    /** The URI Paho connects to. */
    String uri() {
        return uri(broker);
    }

    BrokerCore core() {
        return broker.core();
    }
}
