package io.starling.broker.core;

import io.starling.broker.core.control.ControlTopics;
import io.starling.broker.core.auth.Authenticator;
import io.starling.broker.core.auth.Authorizer;
import io.starling.broker.core.auth.EnhancedAuthenticator;
import io.starling.broker.core.auth.PasswordChecks;
import io.starling.broker.core.auth.SecurityRules;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import io.starling.broker.core.routing.Router;
import io.starling.broker.core.routing.SharedSubscriptions;
import io.starling.broker.core.routing.Subscriber;
import io.starling.broker.core.routing.SubscriberOptions;
import io.starling.broker.core.session.ClientIdClaims;
import io.starling.broker.core.session.Session;
import io.starling.broker.core.session.SessionContext;
import io.starling.broker.core.session.SessionRegistry;
import io.starling.broker.core.store.RetainedStore;
import io.starling.broker.core.store.SessionStore;
import io.starling.broker.core.store.memory.InMemoryRetainedStore;
import io.starling.broker.core.sys.BrokerCounters;
import io.starling.broker.core.time.Clock;
import io.starling.broker.core.topic.SubscriptionTree;

/**
 * The parts of the engine every connection shares: settings, sessions, subscriptions, retained
 * messages and counters. A plain holder, built once by the server; each part documents its own
 * threading.
 */
public final class BrokerCore implements AutoCloseable {
    private final LiveSettings settings;
    private final Clock clock;
    private final SessionRegistry sessions = new SessionRegistry();
    private final SubscriptionTree<Subscriber, SubscriberOptions> subscriptions = new SubscriptionTree<>();
    private final SharedSubscriptions shared = new SharedSubscriptions(subscriptions);
    private final Router router;
    private final RetainedStore retained;
    private final DropCounters drops = new DropCounters();
    private final OverloadCounters overload = new OverloadCounters();
    private final BrokerCounters counters = new BrokerCounters();
    /** The broker-wide password check and ACL; listeners with their own (per_listener_settings) bring theirs. */
    private final SecurityRules security;
    /** The rules of the listener on a port (see {@link #securityOfListener}); the broker's until set. */
    private volatile java.util.function.IntFunction<SecurityRules> listenerSecurity = port -> security();
    private final PasswordChecks passwordChecks;
    private final Map<String, EnhancedAuthenticator> enhancedAuthenticators = new HashMap<>();
    private volatile boolean shuttingDown;
    private volatile ClientIdClaims clientIdClaims = ClientIdClaims.LOCAL;
    private final SessionContext sessionContext;
    private final SessionStore store;
    private final ControlTopics controlTopics = new ControlTopics();

    public BrokerCore(BrokerSettings settings, Clock clock, RetainedStore retained, Authenticator authenticator) {
        this(settings, clock, retained, authenticator, List.of());
    }

    public BrokerCore(BrokerSettings settings, Clock clock, RetainedStore retained, Authenticator authenticator,
                      List<EnhancedAuthenticator> enhancedAuthenticators) {
        this(settings, clock, retained, authenticator, enhancedAuthenticators, SessionStore.NONE);
    }

    /**
     * @param store where persistent sessions and retained messages go to outlive the process; the core
     *              closes it
     */
    public BrokerCore(BrokerSettings settings, Clock clock, RetainedStore retained, Authenticator authenticator,
                      List<EnhancedAuthenticator> enhancedAuthenticators, SessionStore store) {
        this.store = store;
        for (EnhancedAuthenticator a : enhancedAuthenticators) {
            this.enhancedAuthenticators.put(a.method(), a);
        }
        this.settings = new LiveSettings(settings);
        this.router = new Router(subscriptions, () -> settings().upgradeOutgoingQos());
        this.clock = clock;
        this.retained = retained;
        this.security = new SecurityRules(authenticator, Authorizer.ALLOW_ALL);
        this.passwordChecks = new PasswordChecks(settings.passwordCheckThreads(), settings.maxPendingPasswordChecks());
        this.sessionContext = new SessionContext(this.settings, drops, counters, subscriptions, shared, clock, store);
    }

    /** The handlers of {@code $CONTROL/} topics (the dynamic security API). */
    public ControlTopics controlTopics() {
        return controlTopics;
    }

    /** A core with in-memory storage that lets every client in. */
    public BrokerCore(BrokerSettings settings) {
        this(settings, Clock.SYSTEM, new InMemoryRetainedStore(), Authenticator.anonymous(true));
    }

    /**
     * Where every password check goes (CONNECT, reload re-checks, HTTP Basic auth): slow ones run off
     * the event loops, in a bounded queue (see {@link PasswordChecks}).
     */
    public PasswordChecks passwordChecks() {
        return passwordChecks;
    }

    /** The broker-wide password check and ACL (listeners with their own bring theirs). */
    public SecurityRules security() {
        return security;
    }

    /**
     * The rules that apply to clients of the listener on {@code port}: the broker's, or with
     * per_listener_settings that listener's (deny-all when no single listener has that port now).
     * Used for whoever is not connected: a restored session, the publisher of a retained message.
     */
    public SecurityRules securityOfListener(int port) {
        return listenerSecurity.apply(port);
    }

    /** Installs how {@link #securityOfListener} finds a listener's rules (the server knows its listeners). */
    public void setListenerSecurity(java.util.function.IntFunction<SecurityRules> rules) {
        this.listenerSecurity = rules;
    }

    /** Who grants client ids before a CONNECT is accepted: {@link ClientIdClaims#LOCAL} unless a cluster set its own. */
    public ClientIdClaims clientIdClaims() {
        return clientIdClaims;
    }

    /** Installs a cluster's client-id registry (before the listeners open). */
    public void setClientIdClaims(ClientIdClaims claims) {
        this.clientIdClaims = Objects.requireNonNull(claims);
    }

    public Authenticator authenticator() {
        return security.authenticator();
    }

    public Authorizer authorizer() {
        return security.authorizer();
    }

    /**
     * Installs new broker-wide password and ACL rules (start-up, reload). Connected clients are checked
     * against the ACL from their next operation on; see {@code Credentials} for passwords.
     */
    public void replaceSecurity(Authenticator authenticator, Authorizer authorizer) {
        security.replace(authenticator, authorizer);
    }

    /** The enhanced authentication method with this name, or null when none is installed. */
    public EnhancedAuthenticator enhancedAuthenticator(String method) {
        return enhancedAuthenticators.get(method);
    }

    /** True once shutdown began: a CONNECT still arriving gets "server unavailable". */
    public boolean isShuttingDown() {
        return shuttingDown;
    }

    public void beginShutdown() {
        shuttingDown = true;
    }

    /** The settings in force now (read them per packet: a reload may replace them). */
    public BrokerSettings settings() {
        return settings.get();
    }

    /**
     * Installs the settings a reload read (SIGHUP). Call with every event loop held between two reads
     * ({@code LoopBarrier}): the next packet of any connection is handled under them.
     */
    public void replaceSettings(BrokerSettings next) {
        settings.replace(next);
    }

    /** The listener settings of a connection whose listener brings none: the broker-wide ones, as they are now. */
    public ListenerSettings listenerDefaults() {
        return ListenerSettings.of(settings());
    }

    /**
     * Broker shutdown, before the connections close: every will still held back by its delay goes out
     * now, as mosquitto sends them all when it stops, in mosquitto's order: by the second they are due,
     * and of those due in the same second the one held back last first. Each goes on its session's loop,
     * one after the other, so that every subscriber gets them in that order; waits at most a few seconds.
     */
    public void publishHeldWills() {
        record Held(Session session, long dueSecond, long heldSince) {
        }
        List<CompletableFuture<Held>> found = new ArrayList<>();
        for (Session s : sessions.all()) {
            CompletableFuture<Held> times = new CompletableFuture<>();
            s.owner().execute(() -> {
                long[] t = s.heldWillTimes();
                times.complete(t == null ? null : new Held(s, t[0] / 1000, t[1]));
            });
            found.add(times);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<Held> held = new ArrayList<>();
        for (CompletableFuture<Held> f : found) {
            Held h = await(f, deadline);
            if (h != null) {
                held.add(h);
            }
        }
        held.sort(Comparator.comparingLong(Held::dueSecond).thenComparing(Comparator.comparingLong(Held::heldSince).reversed()));
        for (Held h : held) {
            CompletableFuture<Held> published = new CompletableFuture<>();
            h.session().owner().execute(() -> {
                try {
                    h.session().firePendingWill();
                } finally {
                    published.complete(h);
                }
            });
            await(published, deadline);
        }
    }

    /** The value, or null when it is not there by {@code deadline} (System.nanoTime()). */
    private static <T> T await(CompletableFuture<T> f, long deadline) {
        try {
            return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | TimeoutException e) {
            return null; // a loop that does not answer in time keeps its wills (in the store, if persistent)
        }
    }

    public Clock clock() {
        return clock;
    }

    public SessionRegistry sessions() {
        return sessions;
    }

    public SubscriptionTree<Subscriber, SubscriberOptions> subscriptions() {
        return subscriptions;
    }

    public SharedSubscriptions shared() {
        return shared;
    }

    /** What a new session needs from the broker. */
    public SessionContext sessionContext() {
        return sessionContext;
    }

    public Router router() {
        return router;
    }

    /** The durable copy of sessions and retained messages ({@link SessionStore#NONE} without persistence). */
    public SessionStore store() {
        return store;
    }

    public RetainedStore retained() {
        return retained;
    }

    /** What the broker did to protect itself: paused reads, closed or refused connections. */
    public OverloadCounters overload() {
        return overload;
    }

    public DropCounters drops() {
        return drops;
    }

    /** Packets, bytes, connections and levels, counted per loop; read by $SYS and the metrics. */
    public BrokerCounters counters() {
        return counters;
    }

    /**
     * Releases every message the broker still holds: retained ones, and those queued or inflight for
     * sessions. Call only once the event loops have stopped, since sessions belong to them.
     */
    @Override
    public void close() {
        passwordChecks.close();
        for (Session s : sessions.all()) {
            s.releaseAtShutdown();
        }
        retained.close();
        store.close();
    }
}
