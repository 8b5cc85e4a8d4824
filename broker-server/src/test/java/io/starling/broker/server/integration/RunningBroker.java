package io.starling.broker.server.integration;

import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.ListenerConfig;
import io.starling.broker.core.BrokerCore;
import io.starling.broker.server.Broker;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real broker, started once per test class on a free loopback port and stopped after it:
 * {@code @RegisterExtension static final RunningBroker broker = new RunningBroker();}. Tests of one
 * class share it, so each test uses its own client ids and topics.
 *
 * <p>After the class, the broker is closed and the class fails if Netty's leak detector reported a
 * leaked buffer (DESIGN.md, decision 3).
 */
final class RunningBroker implements BeforeAllCallback, AfterAllCallback {
    private Broker broker;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        broker = Broker.start(BrokerConfig.defaults().withListeners(List.of(new ListenerConfig(0, "127.0.0.1")))
                .withAllowAnonymous(true));
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        if (broker != null) {
            broker.close();
            broker = null;
        }
        List<String> leaks = LeakReports.collect();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " leaked buffer(s) reported:\n" + String.join("\n\n", leaks));
        }
    }

    int port() {
        return broker.port();
    }

    /** The URI Paho connects to. */
    String uri() {
        return "tcp://127.0.0.1:" + port();
    }

    BrokerCore core() {
        return broker.core();
    }
}
