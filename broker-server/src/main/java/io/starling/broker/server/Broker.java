package io.starling.broker.server;

import io.starling.broker.cluster.status.ClusterStatusSource;
import io.starling.broker.auth.dynsec.DynamicSecurity;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.ConfigException;
import io.starling.broker.config.ConfigFile;
import io.starling.broker.config.ListenerConfig;
import io.starling.broker.config.SecurityConfig;
import io.starling.broker.config.Protocol;
import io.starling.broker.config.SocketDomain;
import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.BrokerSettings;
import io.starling.broker.core.ListenerSettings;
import io.starling.broker.core.auth.Authenticator;
import io.starling.broker.core.auth.Authorizer;
import io.starling.broker.core.auth.SecurityRules;
import io.starling.broker.core.protocol.Credentials;
import io.starling.broker.core.protocol.SessionRestore;
import io.starling.broker.core.routing.LoopBarrier;
import io.starling.broker.core.store.SessionStore;
import io.starling.broker.store.rocksdb.StoreException;
import io.starling.broker.core.store.memory.InMemoryRetainedStore;
import io.starling.broker.core.time.Clock;
import io.starling.broker.bridge.Bridges;
import io.starling.broker.transport.EventLoops;
import io.starling.broker.transport.HttpApi;
import io.starling.broker.transport.HttpApiListener;
import io.starling.broker.transport.HttpApiOptions;
import io.starling.broker.transport.ListenerOptions;
import io.starling.broker.transport.TcpListener;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running broker: the composition root that wires config, core and transports. Embeddable:
 * {@code try (Broker b = Broker.start(config)) { ... }}; the integration tests use exactly this.
 */
public final class Broker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Broker.class);
    /** Starling's version, as the log and $SYS/broker/version tell it. */
    public static final String VERSION = "0.1.0";

    private final BrokerConfig config;
    /**
     * The configuration whose reloadable options (security, logging, the limits mosquitto reloads) are in
     * force: the start's, or the last reloaded conf's.
     */
    private volatile BrokerConfig inForce;
    private final BrokerCore core;
    private final EventLoops loops;
    private final List<TcpListener> listeners;
    /** With per_listener_settings true: each listener's own rules, reloaded together with the broker's. */
    private final Map<ListenerConfig, SecurityRules> listenerSecurity;
    /** Each configured listener's settings as its connections read them; a reload replaces the client-id options. */
    private final Map<ListenerConfig, AtomicReference<ListenerSettings>> listenerSettings;
    private final SysTreeTimer sysTree;
    /** The http_api listeners, and their metrics (null without such a listener). */
    private final List<HttpApiListener> httpListeners;
    private final BrokerMetrics metrics;
    /** The cluster side (channel, Raft, registry, retained store, node links, route table); null without cluster_* lines. */
    private final ClusterNode cluster;
    /** The connection sections' bridges (none without such sections). */
    private final Bridges bridges;
    /** The built-in dynamic security plugin; null when the config does not name it. */
    private final DynamicSecurity dynamicSecurity;

    private Broker(BrokerConfig config, BrokerCore core, EventLoops loops, List<TcpListener> listeners,
                   Map<ListenerConfig, SecurityRules> listenerSecurity,
                   Map<ListenerConfig, AtomicReference<ListenerSettings>> listenerSettings, SysTreeTimer sysTree,
                   List<HttpApiListener> httpListeners, BrokerMetrics metrics, ClusterNode cluster, Bridges bridges,
                   DynamicSecurity dynamicSecurity) {
        this.config = config;
        this.core = core;
        this.loops = loops;
        this.listeners = listeners;
        this.listenerSecurity = listenerSecurity;
        this.listenerSettings = listenerSettings;
        this.inForce = config;
        this.sysTree = sysTree;
        this.httpListeners = httpListeners;
        this.metrics = metrics;
        this.cluster = cluster;
        this.bridges = bridges;
        this.dynamicSecurity = dynamicSecurity;
    }

    /** The configuration cannot be used to start a broker; the message says why (and where). */
    public static final class StartException extends Exception {
        StartException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Starts a broker; with no listener configured it listens on localhost:1883, as mosquitto 2 does.
     *
     * @throws StartException when a password, ACL, certificate or key file cannot be used, or a
     *                        listener cannot be bound
     */
    public static Broker start(BrokerConfig config) throws InterruptedException, StartException {
        SecurityFiles.Loaded security;
        Map<ListenerConfig, SecurityRules> listenerSecurity = new IdentityHashMap<>();
        DynamicSecurity dynamicSecurity;
        try {
            dynamicSecurity = DynamicSecurityPlugin.open(config);
        } catch (DynamicSecurityPlugin.PluginException e) {
            throw new StartException(e.getMessage(), e);
        }
        try {
            security = SecurityFiles.load(config, dynamicSecurity);
            if (config.perListenerSettings()) {
                for (ListenerConfig l : config.listeners()) {
                    SecurityFiles.Loaded own = SecurityFiles.load(config, l, dynamicSecurity);
                    listenerSecurity.put(l, new SecurityRules(own.authenticator(), own.authorizer()));
                }
            }
        } catch (SecurityFiles.SecurityFileException e) {
            closeQuietly(dynamicSecurity);
            throw new StartException(e.getMessage(), e);
        }
        SessionStore store;
        try {
            store = StoreFiles.open(config.persistence());
        } catch (StoreException e) {
            closeQuietly(dynamicSecurity);
            throw new StartException("Error: " + e.getMessage(), e);
        }
        ClusterNode cluster = null;
        if (config.cluster() != null) {
            try {
                cluster = ClusterNode.create(config.cluster(), config.persistence(), Clock.SYSTEM);

            } catch (Exception e) {
                store.close();
                closeQuietly(dynamicSecurity);
                throw new StartException("Error: cannot join the cluster on " + config.cluster().bind() + ": "
                        + e.getMessage(), e);
            }
        }
        BrokerCore core = new BrokerCore(settingsOf(config), Clock.SYSTEM,
                cluster != null ? cluster.retained() : new InMemoryRetainedStore(), security.authenticator(),
                List.of(), store);
        core.replaceSecurity(security.authenticator(), security.authorizer());
        if (dynamicSecurity != null) {
            dynamicSecurity.attach(core);
        }
        EventLoops loops = new EventLoops(eventLoopsOf(config),
                core.settings().overload().maxLoopBacklogBytes(), core.drops(), core.overload());
        List<TcpListener> bound = new ArrayList<>();
        List<HttpApiListener> http = new ArrayList<>();
        Map<ListenerConfig, InetSocketAddress> addresses = new java.util.concurrent.ConcurrentHashMap<>();
        Map<ListenerConfig, AtomicReference<ListenerSettings>> listenerSettings = new IdentityHashMap<>();
        SysTreeTimer sysTree = SysTreeTimer.start(core, loops.outboxes().get(0), config.sysInterval(),
                "Starling version " + VERSION);
        BrokerMetrics metrics = null;
        Bridges bridges = null;
        try {
            core.setListenerSecurity(port -> securityOfPort(config, listenerSecurity, core, port));
            if (store.isDurable()) {
                // A cluster node's stored retained messages go to its local store, not through Raft as new writes.
                SessionRestore.restore(core, cluster != null ? cluster.localRetained() : core.retained(), store.load(),
                        loops.outboxes(), core::securityOfListener);
            }
            if (cluster != null) {
                // Joined before the listeners open, so a client's first SUBSCRIBE is announced to the cluster.
                startCluster(cluster, config, core, loops);
                sysTree.addTopics(new ClusterSysTopics(cluster.status()));
                // Forwarded here for a shared subscription group whose last member here left meanwhile.
                sysTree.addTopics(() -> Map.of(ClusterSysTopics.PREFIX + "shared/messages/lost",
                        Long.toString(core.router().sharedWithoutMember())));
            }
            if (config.listeners().isEmpty()) {
                LOG.info("Starting in local only mode. Connections will only be possible from clients running on this machine.");
                bound.add(TcpListener.bind(core, loops, "127.0.0.1", 1883));
            }
            for (ListenerConfig l : config.listeners()) {
                if (l.protocol() == Protocol.HTTP_API) {
                    continue; // bound below, once the MQTT listeners they describe are
                }
                AtomicReference<ListenerSettings> settings = new AtomicReference<>(listenerSettingsOf(config, l));
                listenerSettings.put(l, settings);
                TcpListener listener = TcpListener.bind(core, loops, hostOf(l), l.port(), new ListenerOptions(
                        TlsListeners.settingsOf(l.tls()), l.maxConnections(), l.mountPoint(), listenerSecurity.get(l),
                        l.protocol() == Protocol.WEBSOCKETS, settings::get));
                bound.add(listener);
                addresses.put(l, listener.address());
            }
            if (!config.bridges().isEmpty()) {
                int inflight = config.limits().maxInflightMessages();
                bridges = Bridges.start(config.bridges(), core, loops, inflight == 0 ? 65535 : inflight);
                sysTree.addTopics(bridges::sysTopics);
            }
            if (config.listeners().stream().anyMatch(l -> l.protocol() == Protocol.HTTP_API)) {
                ClusterStatusSource clusterStatus = cluster == null ? null : cluster.status();
                metrics = new BrokerMetrics(core, clusterStatus, bridges);
                BrokerHttpApi api = new BrokerHttpApi(core, metrics, sysTree, () -> describe(config, addresses),
                        clusterStatus, bridges);
                for (ListenerConfig l : config.listeners()) {
                    if (l.protocol() == Protocol.HTTP_API) {
                        HttpApiListener listener = HttpApiListener.bind(core, loops, hostOf(l), l.port(),
                                new HttpApiOptions(TlsListeners.settingsOf(l.tls()), listenerSecurity.get(l),
                                        l.http().metricsAuth(), l.http().dir(), l.http().corsOrigins(), api));
                        http.add(listener);
                        addresses.put(l, listener.address());
                    }
                }
            }
        } catch (InterruptedException e) {
            closeAll(bound, http, metrics, sysTree, cluster, loops, core);
            closeQuietly(dynamicSecurity);
            throw e;
        } catch (StartException e) {
            closeAll(bound, http, metrics, sysTree, cluster, loops, core);
            closeQuietly(dynamicSecurity);
            throw e;
        } catch (RuntimeException e) {
            closeAll(bound, http, metrics, sysTree, cluster, loops, core);
            closeQuietly(dynamicSecurity);
            throw new StartException("Error: " + e.getMessage(), e);
        }
        return new Broker(config, core, loops, bound, listenerSecurity, listenerSettings, sysTree, http, metrics,
                cluster, bridges, dynamicSecurity);
    }

    private static void closeQuietly(DynamicSecurity dynamicSecurity) {
        if (dynamicSecurity != null) {
            dynamicSecurity.close();
        }
    }

    private static void startCluster(ClusterNode cluster, BrokerConfig config, BrokerCore core, EventLoops loops)
            throws StartException, InterruptedException {
        try {
            cluster.start(core, loops);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw new StartException("Error: cannot join the cluster on " + config.cluster().bind() + ": " + e.getMessage(), e);
        }
    }

    /** {@code event_loops}, or one loop per processor (0, the default). */
    private static int eventLoopsOf(BrokerConfig config) {
        return config.eventLoops() == 0 ? Runtime.getRuntime().availableProcessors() : config.eventLoops();
    }

    /**
     * The address to bind: the configured one, else all addresses: IPv6 ones ({@code ::}, which on
     * Linux takes IPv4 too) only with {@code socket_domain ipv6}, since a host without IPv6 would
     * refuse {@code ::}.
     */
    private static String hostOf(ListenerConfig l) {
        if (l.address() != null) {
            return l.address();
        }
        return l.socketDomain() == SocketDomain.IPV6 ? "::" : "0.0.0.0";
    }


    /** The listeners as mosquitto 2.1's {@code /api/v1/listeners} shows them, with the ports actually bound. */
    private static List<HttpApi.Listener> describe(BrokerConfig config, Map<ListenerConfig, InetSocketAddress> bound) {
        List<HttpApi.Listener> out = new ArrayList<>();
        if (config.listeners().isEmpty()) {
            out.add(new HttpApi.Listener(1883, "mqtt", false, false, true));
        }
        for (ListenerConfig l : config.listeners()) {
            InetSocketAddress address = bound.get(l);
            String protocol = switch (l.protocol()) {
                case MQTT -> "mqtt";
                case WEBSOCKETS -> "websockets";
                case HTTP_API -> "httpapi"; // sic: mosquitto 2.1's spelling
            };
            out.add(new HttpApi.Listener(address == null ? l.port() : address.getPort(), protocol,
                    l.tls().usesCertificates(), l.tls().requireCertificate(), config.anonymousAllowed(l)));
        }
        return out;
    }

    private static void closeAll(List<TcpListener> bound, List<HttpApiListener> http, BrokerMetrics metrics,
                                 SysTreeTimer sysTree, ClusterNode cluster, EventLoops loops, BrokerCore core) {
        sysTree.close();
        http.forEach(HttpApiListener::close);
        bound.forEach(TcpListener::close);
        if (metrics != null) {
            metrics.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        loops.close();
        core.close();
    }

    private static io.starling.broker.core.OverloadLimits overloadOf(io.starling.broker.config.OverloadLimits o) {
        return new io.starling.broker.core.OverloadLimits(o.maxOutgoingBytes(), o.maxLoopBacklogBytes(),
                o.maxConnectBytes(), o.maxConnectingClients(), o.maxConnectingBytes(), o.maxHeldQos2Bytes());
    }

    /**
     * What the core reads per listener: max_qos and max_topic_alias always; allow_zero_length_clientid and
     * auto_id_prefix the listener's own with per_listener_settings true, else the broker's.
     */
    static ListenerSettings listenerSettingsOf(BrokerConfig c, ListenerConfig l) {
        SecurityConfig security = c.securityFor(l);
        return new ListenerSettings(l.maxQos(), l.maxTopicAlias(), security.allowZeroLengthClientId(),
                security.autoIdPrefix());
    }

    /**
     * A listener's settings after a reload that read {@code read}: the client-id options from it (they are
     * security options, which mosquitto reloads), max_qos and max_topic_alias as they were (mosquitto does
     * not read them at a reload; see docs/compatibility.md for what it does instead).
     */
    private static ListenerSettings reloadedListenerSettings(ListenerSettings running, BrokerConfig read, ListenerConfig l) {
        SecurityConfig security = read.securityFor(ConfigChanges.sameListener(read, l));
        return new ListenerSettings(running.maxQos(), running.maxTopicAlias(), security.allowZeroLengthClientId(),
                security.autoIdPrefix());
    }

    static BrokerSettings settingsOf(BrokerConfig c) {
        // max_qos and max_topic_alias stay at mosquitto's defaults here: every configured listener brings
        // its own (listenerSettingsOf); these serve the local-only listener.
        return BrokerSettings.defaults().toBuilder()
                .maxInflightMessages(c.maxInflightMessages())
                .maxInflightBytes(c.limits().maxInflightBytes())
                .maxSubscribeFilters(c.limits().maxSubscribeFilters())
                .maxQueuedMessages(c.maxQueuedMessages())
                .maxQueuedBytes(c.maxQueuedBytes())
                .queueQos0Messages(c.queueQos0Messages())
                .maxPacketSize(c.maxPacketSize() == 0 ? BrokerSettings.PROTOCOL_MAX_PACKET_SIZE : c.maxPacketSize())
                .messageSizeLimit(c.messageSizeLimit())
                .maxKeepAlive(c.maxKeepalive())
                .allowZeroLengthClientId(c.allowZeroLengthClientId())
                .autoIdPrefix(c.autoIdPrefix())
                .retainAvailable(c.retainAvailable())
                .persistentClientExpirationSeconds(
                        c.persistentClientExpiration() == null ? 0 : c.persistentClientExpiration().toSeconds())
                .upgradeOutgoingQos(c.upgradeOutgoingQos())
                .checkRetainSource(c.checkRetainSource())
                .clientIdPrefixes(c.clientidPrefixes())
                .overload(overloadOf(c.limits().overload()))
                .passwordCheckThreads(c.limits().passwordCheckThreads())
                .maxPendingPasswordChecks(c.limits().maxPendingPasswordChecks())
                .build();
    }

    /**
     * The rules a session restored from the store had through the listener on {@code port}: the
     * broker's without per_listener_settings; else that listener's, and none at all (deny everything
     * until the client connects again) when no single listener has that port any more.
     */
    private static SecurityRules securityOfPort(BrokerConfig config, Map<ListenerConfig, SecurityRules> listenerSecurity,
                                                BrokerCore core, int port) {
        if (!config.perListenerSettings()) {
            return core.security();
        }
        List<SecurityRules> found = new ArrayList<>();
        listenerSecurity.forEach((l, rules) -> {
            if (port != 0 && l.port() == port) {
                found.add(rules);
            }
        });
        if (found.size() == 1) {
            return found.get(0);
        }
        return new SecurityRules(Authenticator.anonymous(false), Authorizer.DENY_ALL);
    }

    /**
     * Reads the password and ACL files again (SIGHUP), between two reads of every event loop: the
     * loops finish the batch they are in and wait while the files are read and the rules installed,
     * and each re-checks its connected clients' passwords before it reads again, so no packet read
     * after the call began is handled under the old rules (issue 15; mosquitto reloads between two
     * passes of its one thread). If a file cannot be read, the old rules stay and the reason is
     * logged: a failed reload never opens the broker up. Call from a thread that is not an event loop.
     *
     * @return true when the new rules are in force
     */
    public boolean reloadSecurity() {
        return apply(inForce);
    }

    /**
     * SIGHUP with the broker's mosquitto.conf: reads it again and applies, as {@link #reloadSecurity()}
     * does (between two reads of every loop, to connected clients too), what mosquitto 2.0.11 applies:
     * the security options (broker-wide and per listener, the client-id ones included), {@code
     * message_size_limit}, {@code upgrade_outgoing_qos}, {@code queue_qos0_messages}, {@code
     * persistent_client_expiration}, {@code clientid_prefixes} and {@code sys_interval}; the logging
     * options are for the caller ({@link #inForce()}). Other options that changed are named in a warning:
     * they take effect at the next start. A file that no longer parses, or whose password or ACL file
     * cannot be read, changes nothing.
     *
     * @return true when the file's options are in force
     */
    public boolean reload(Path confFile) {
        BrokerConfig read;
        try {
            read = ConfigFile.read(confFile);
        } catch (ConfigException e) {
            LOG.error("{} Keeping the previous configuration.", e.getMessage());
            return false;
        }
        List<String> later = ConfigChanges.atNextStart(config, read);
        if (!later.isEmpty()) {
            LOG.warn("Reloaded {}: {} changed and take{} effect at the next start.", confFile,
                    String.join(", ", later), later.size() == 1 ? "s" : "");
        }
        if (apply(read)) {
            inForce = read;
            sysTree.reschedule(read.sysInterval());
            return true;
        }
        return false;
    }

    /** The configuration whose reloadable options are in force: the start's, or the last reloaded one. */
    public BrokerConfig inForce() {
        return inForce;
    }

    private boolean apply(BrokerConfig source) {
        LoopBarrier held = LoopBarrier.hold(loops.outboxes());
        boolean installed = false;
        try {
            // Read every file first, so that a bad one leaves all rules as they were.
            SecurityFiles.Loaded security = SecurityFiles.load(source, dynamicSecurity);
            Map<ListenerConfig, SecurityFiles.Loaded> own = new IdentityHashMap<>();
            for (ListenerConfig l : listenerSecurity.keySet()) {
                own.put(l, SecurityFiles.load(source, ConfigChanges.sameListener(source, l), dynamicSecurity));
            }
            core.replaceSecurity(security.authenticator(), security.authorizer());
            own.forEach((l, s) -> listenerSecurity.get(l).replace(s.authenticator(), s.authorizer()));
            core.replaceSettings(ConfigChanges.reloaded(core.settings(), source));
            listenerSettings.forEach((l, s) -> s.set(reloadedListenerSettings(s.get(), source, l)));
            reloadCertificates();
            installed = true;
        } catch (SecurityFiles.SecurityFileException e) {
            String why = e.getMessage();
            LOG.error("{}{} Keeping the previous password and ACL rules.", why, why.endsWith(".") ? "" : ".");
        } finally {
            held.release(installed ? loop -> Credentials.recheckOn(core, loop) : loop -> { });
        }
        if (installed) {
            LOG.info("Reloaded password and ACL files.");
        }
        return installed;
    }

    /**
     * Each TLS listener's certificate and key read again from the same files, as mosquitto 2.0 does at
     * SIGHUP (new certfile or keyfile paths wait for the next start, there too). A file that cannot be
     * used is logged and the listener keeps its certificate.
     */
    private void reloadCertificates() {
        for (TcpListener l : listeners) {
            try {
                l.reloadCertificates();
            } catch (RuntimeException e) {
                LOG.error("Error when reloading the certificate of port {}: {}", l.address().getPort(), e.getMessage());
            }
        }
    }

    /** The port of the first listener (the one a test asked for with port 0). */
    public int port() {
        return listeners.get(0).address().getPort();
    }

    /** The MQTT (and websockets) listeners' addresses, then the http_api listeners'. */
    public List<InetSocketAddress> addresses() {
        List<InetSocketAddress> out = new ArrayList<>();
        listeners.forEach(l -> out.add(l.address()));
        httpListeners.forEach(l -> out.add(l.address()));
        return out;
    }

    /** The address of the first http_api listener, or null when there is none. */
    public InetSocketAddress httpApiAddress() {
        return httpListeners.isEmpty() ? null : httpListeners.get(0).address();
    }

    public BrokerCore core() {
        return core;
    }

    /** The cluster side, or null for a single node. */
    ClusterNode cluster() {
        return cluster;
    }

    /** Stops listening, disconnects every client, and releases everything. */
    @Override
    public void close() {
        LOG.info("Starling shutting down.");
        if (bridges != null) {
            bridges.close(); // DISCONNECT to each remote broker while the loops still run
        }
        core.beginShutdown();
        sysTree.close();
        httpListeners.forEach(HttpApiListener::close);
        listeners.forEach(TcpListener::close);
        if (metrics != null) {
            metrics.close();
        }
        // As mosquitto: every will goes out before the connections close, those of connected clients without
        // delay first, then every delayed one (connected clients' and offline sessions') in due order.
        loops.publishWills(false);
        loops.publishWills(true);
        core.publishHeldWills();
        if (cluster != null) {
            cluster.close(); // after the wills, which other nodes' subscribers may still be routed
        }
        loops.close();
        if (dynamicSecurity != null) {
            dynamicSecurity.close();
        }
        core.close();
    }
}
