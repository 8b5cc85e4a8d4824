package io.starling.broker.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a mosquitto.conf says, as immutable values; it knows nothing of the objects it configures.
 * Defaults are Mosquitto 2.0's. Built by {@link ConfigFile#read} or {@link #defaults()}.
 *
 * <p>Where to look, for whoever wires the broker:
 * <ul>
 *   <li>{@link #listeners()}: what to bind, each with its protocol, TLS and limits. Empty means
 *       mosquitto 2's local-only mode: listen on localhost:1883 and allow anonymous clients.</li>
 *   <li>{@link #securityFor(ListenerConfig)} and {@link #anonymousAllowed(ListenerConfig)}: password,
 *       ACL and PSK files, anonymous access and client-id rules that apply to a listener, whichever
 *       {@code per_listener_settings} says.</li>
 *   <li>{@link #limits()}, {@link #persistence()}, {@link #logging()} and the remaining components.</li>
 *   <li>{@link #warnings()}: lines that were accepted but have no effect, to log at startup.</li>
 * </ul>
 *
 * @param listeners                  the listeners in file order; the default listener (from {@code port},
 *                                   {@code bind_address} and options before the first {@code listener}) last
 * @param perListenerSettings        {@code per_listener_settings}
 * @param security                   the broker-wide security options; with {@code per_listener_settings true}
 *                                   each listener has its own and this one stays at the defaults
 * @param persistentClientExpiration {@code persistent_client_expiration}, or null: never expire
 * @param retainAvailable            {@code retain_available}
 * @param upgradeOutgoingQos         {@code upgrade_outgoing_qos}
 * @param checkRetainSource          {@code check_retain_source}: off unless set (mosquitto 2.0.11 checks nothing
 *                                   without the line, measured)
 * @param setTcpNodelay              {@code set_tcp_nodelay}
 * @param sysInterval                {@code sys_interval}: seconds between {@code $SYS} updates; 0 turns them off
 * @param clientidPrefixes           {@code clientid_prefixes}: the prefix every client id must have, or null
 * @param pidFile                    {@code pid_file}, or null
 * @param user                       {@code user}: the account to run as when started as root
 * @param eventLoops                 {@code event_loops} (Starling's): the event loops that serve the
 *                                   connections; 0 (the default) for one per processor. 1 gives
 *                                   Mosquitto's total order: whatever reached the broker first takes
 *                                   effect first, across connections (but for the packets behind a
 *                                   stored session's CONNECT, which wait for the store)
 * @param cluster                    the {@code cluster_*} options (Starling's), or null: a single node,
 *                                   no cluster threads or ports
 * @param bridges                    the {@code connection} sections, in file order
 * @param warnings                   one line per accepted option that has no effect, {@code Warning: file:line: ...}
 */
public record BrokerConfig(List<ListenerConfig> listeners, boolean perListenerSettings, SecurityConfig security,
                           Limits limits, PersistenceConfig persistence, LoggingConfig logging,
                           Duration persistentClientExpiration, boolean retainAvailable, boolean upgradeOutgoingQos,
                           boolean checkRetainSource, boolean setTcpNodelay, int sysInterval, String clientidPrefixes, Path pidFile,
                           String user, int eventLoops, ClusterSettings cluster, List<BridgeConfig> bridges,
                           List<String> warnings) {
    public BrokerConfig {
        listeners = List.copyOf(listeners);
        Objects.requireNonNull(security, "security");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(persistence, "persistence");
        Objects.requireNonNull(logging, "logging");
        Objects.requireNonNull(user, "user");
        bridges = List.copyOf(bridges);
        warnings = List.copyOf(warnings);
        if (eventLoops < 0) {
            throw new IllegalArgumentException("eventLoops must not be negative: " + eventLoops);
        }
        if (sysInterval < 0 || sysInterval > 65535) {
            throw new IllegalArgumentException("sysInterval out of range: " + sysInterval);
        }
        if (persistentClientExpiration != null && (persistentClientExpiration.isNegative() || persistentClientExpiration.isZero())) {
            throw new IllegalArgumentException("persistentClientExpiration must be positive");
        }
    }

    /** Mosquitto's behaviour without a config file. */
    public static BrokerConfig defaults() {
        return new BrokerConfig(List.of(), false, SecurityConfig.DEFAULTS, Limits.DEFAULTS, PersistenceConfig.DEFAULTS,
                LoggingConfig.DEFAULTS, null, true, false, false, false, 10, null, null, "mosquitto", 0, null, List.of(), List.of());
    }

    /** The same config with {@code allow_anonymous} set broker-wide. */
    public BrokerConfig withAllowAnonymous(boolean value) {
        return new BrokerConfig(listeners, perListenerSettings, security.withAllowAnonymous(value), limits, persistence,
                logging, persistentClientExpiration, retainAvailable, upgradeOutgoingQos, checkRetainSource, setTcpNodelay, sysInterval,
                clientidPrefixes, pidFile, user, eventLoops, cluster, bridges, warnings);
    }

    /** The same config listening on the given listeners instead. */
    public BrokerConfig withListeners(List<ListenerConfig> value) {
        return new BrokerConfig(value, perListenerSettings, security, limits, persistence, logging,
                persistentClientExpiration, retainAvailable, upgradeOutgoingQos, checkRetainSource, setTcpNodelay, sysInterval,
                clientidPrefixes, pidFile, user, eventLoops, cluster, bridges, warnings);
    }

    /** The same config with other limits. */
    public BrokerConfig withLimits(Limits value) {
        return new BrokerConfig(listeners, perListenerSettings, security, value, persistence, logging,
                persistentClientExpiration, retainAvailable, upgradeOutgoingQos, checkRetainSource, setTcpNodelay, sysInterval,
                clientidPrefixes, pidFile, user, eventLoops, cluster, bridges, warnings);
    }

    /** The same config as a cluster node (or, with null, a single node). */
    public BrokerConfig withCluster(ClusterSettings value) {
        return new BrokerConfig(listeners, perListenerSettings, security, limits, persistence, logging,
                persistentClientExpiration, retainAvailable, upgradeOutgoingQos, checkRetainSource, setTcpNodelay, sysInterval,
                clientidPrefixes, pidFile, user, eventLoops, value, bridges, warnings);
    }

    /** Mosquitto 2's local-only mode: no listener configured, so only localhost:1883, anonymous allowed. */
    public boolean localOnly() {
        return listeners.isEmpty();
    }

    /** The security options that apply to clients of this listener. */
    public SecurityConfig securityFor(ListenerConfig listener) {
        return listener.security() != null ? listener.security() : security;
    }

    /**
     * Whether clients without a username may connect to this listener: {@code allow_anonymous} where it
     * is set, otherwise mosquitto 2's default (true in local-only mode, false once a listener is configured).
     */
    public boolean anonymousAllowed(ListenerConfig listener) {
        Boolean set = securityFor(listener).allowAnonymous();
        return set != null ? set : localOnly();
    }

    // Shortcuts kept for the callers that read single values.

    /** The broker-wide {@code allow_anonymous}, or null when not set. */
    public Boolean allowAnonymous() {
        return security.allowAnonymous();
    }

    public boolean allowZeroLengthClientId() {
        return security.allowZeroLengthClientId();
    }

    public String autoIdPrefix() {
        return security.autoIdPrefix();
    }

    public int maxInflightMessages() {
        return limits.maxInflightMessages();
    }

    public int maxQueuedMessages() {
        return limits.maxQueuedMessages();
    }

    public long maxQueuedBytes() {
        return limits.maxQueuedBytes();
    }

    public boolean queueQos0Messages() {
        return limits.queueQos0Messages();
    }

    /** {@code max_packet_size}, 0 when not set (no limit beyond the protocol's). */
    public int maxPacketSize() {
        return limits.maxPacketSize();
    }

    public int messageSizeLimit() {
        return limits.messageSizeLimit();
    }

    public int maxKeepalive() {
        return limits.maxKeepalive();
    }
}
