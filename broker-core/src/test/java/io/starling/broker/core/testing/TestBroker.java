package io.starling.broker.core.testing;

import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.BrokerSettings;
import io.starling.broker.core.auth.Authenticator;
import io.starling.broker.core.auth.EnhancedAuthenticator;
import io.starling.broker.core.session.Session;
import io.starling.broker.core.store.SessionStore;
import io.starling.broker.core.store.memory.InMemoryRetainedStore;
import io.starling.broker.core.testing.TestLoops.InLoop;
import java.util.ArrayList;
import java.util.List;

/**
 * A core with its loops, clients and payloads, for one test. {@link #close()} tears it all down as
 * a broker shutdown would (connections lost, sessions ended, retained store closed) and then checks
 * that every payload the test handed to the broker was released: a leak fails the test.
 */
public final class TestBroker implements AutoCloseable {
    private final BrokerCore core;
    private final FakeClock clock = new FakeClock();
    private final Payloads payloads = new Payloads();
    private final List<InLoop> loops = new ArrayList<>();
    private final List<TestClient> clients = new ArrayList<>();

    private TestBroker(BrokerSettings settings, Authenticator authenticator, List<EnhancedAuthenticator> enhanced) {
        this(settings, authenticator, enhanced, SessionStore.NONE);
    }

    private TestBroker(BrokerSettings settings, Authenticator authenticator, List<EnhancedAuthenticator> enhanced,
                       SessionStore store) {
        this.core = new BrokerCore(settings, clock, new InMemoryRetainedStore(), authenticator, enhanced, store);
        loops.add(TestLoops.start("loop-1"));
    }

    /** A broker that tells {@code store} what persistent sessions do. */
    public static TestBroker start(BrokerSettings settings, SessionStore store) {
        return new TestBroker(settings, Authenticator.anonymous(true), List.of(), store);
    }

    public static TestBroker start() {
        return new TestBroker(BrokerSettings.defaults(), Authenticator.anonymous(true), List.of());
    }

    public static TestBroker start(BrokerSettings settings) {
        return new TestBroker(settings, Authenticator.anonymous(true), List.of());
    }

    public static TestBroker start(Authenticator authenticator) {
        return new TestBroker(BrokerSettings.defaults(), authenticator, List.of());
    }

    public static TestBroker start(BrokerSettings settings, Authenticator authenticator) {
        return new TestBroker(settings, authenticator, List.of());
    }

    /** A broker with these MQTT 5 enhanced authentication methods installed. */
    public static TestBroker start(EnhancedAuthenticator... methods) {
        return new TestBroker(BrokerSettings.defaults(), Authenticator.anonymous(true), List.of(methods));
    }

    public BrokerCore core() {
        return core;
    }

    public FakeClock clock() {
        return clock;
    }

    public Payloads payloads() {
        return payloads;
    }

    /** The loop clients run on unless a test asks for another. */
    public InLoop loop() {
        return loops.get(0);
    }

    /** Another loop, for cross-loop tests; closed with the broker. */
    public InLoop newLoop() {
        InLoop loop = TestLoops.start("loop-" + (loops.size() + 1));
        loops.add(loop);
        return loop;
    }

    /** A new, not yet connected client on the default loop. */
    public TestClient newClient() {
        return newClient(loop());
    }

    public TestClient newClient(InLoop loop) {
        TestClient c = new TestClient(core, loop, payloads);
        clients.add(c);
        return c;
    }

    /** A new client that connected with a clean session. */
    public TestClient connected(String clientId) {
        TestClient c = newClient();
        c.connect(clientId, true);
        return c;
    }

    /** Lets every loop run the work queued on it, including work loops queue on each other. */
    public void drain() {
        TestLoops.drain(loops.toArray(new InLoop[0]));
    }

    @Override
    public void close() {
        try {
            drain();
            for (TestClient c : clients) {
                if (!c.isClosed()) {
                    c.loop().run(() -> c.connection().close());
                }
            }
            drain();
            for (Session s : core.sessions().all()) {
                s.owner().loop().submit(() -> {
                    s.end();
                    core.sessions().remove(s);
                }).syncUninterruptibly();
            }
            drain();
            core.close();
            payloads.assertAllReleased();
        } finally {
            loops.forEach(InLoop::close);
        }
    }
}
