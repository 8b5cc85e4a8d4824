package io.starling.broker.config;

import java.util.Objects;

/**
 * One network listener: a {@code listener PORT [ADDRESS]} block with the per-listener options that
 * follow it, or the "default listener" that mosquitto builds from {@code port}, {@code bind_address}
 * and per-listener options given before the first {@code listener} line.
 *
 * @param port           1-65535 from a file; 0 asks the operating system for a free port (tests)
 * @param address        the address or host name to bind, or null for every address
 * @param protocol       {@code protocol}
 * @param socketDomain   {@code socket_domain}
 * @param maxConnections {@code max_connections}; -1 means no limit
 * @param mountPoint     {@code mount_point}: a topic prefix that isolates this listener's clients, or null
 * @param maxQos         {@code max_qos}, 0-2
 * @param maxTopicAlias  {@code max_topic_alias}: aliases an MQTT 5 client may create, 0-65535
 * @param tls            this listener's TLS options, {@link TlsConfig#NONE} for plain TCP or WebSocket
 * @param security       with {@code per_listener_settings true}: this listener's own security options;
 *                       otherwise null, and {@link BrokerConfig#security()} applies
 * @param http           {@code http_dir} and {@code http_metrics_auth} of an {@code http_api} listener
 */
public record ListenerConfig(int port, String address, Protocol protocol, SocketDomain socketDomain,
                             int maxConnections, String mountPoint, int maxQos, int maxTopicAlias,
                             TlsConfig tls, SecurityConfig security, HttpConfig http) {
    public static final int DEFAULT_MAX_TOPIC_ALIAS = 10;

    public ListenerConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(socketDomain, "socketDomain");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(http, "http");
        if (maxConnections < -1) {
            throw new IllegalArgumentException("maxConnections must be -1 (no limit) or more: " + maxConnections);
        }
        if (maxQos < 0 || maxQos > 2) {
            throw new IllegalArgumentException("maxQos out of range: " + maxQos);
        }
        if (maxTopicAlias < 0 || maxTopicAlias > 65535) {
            throw new IllegalArgumentException("maxTopicAlias out of range: " + maxTopicAlias);
        }
    }

    /** A listener without HTTP options. */
    public ListenerConfig(int port, String address, Protocol protocol, SocketDomain socketDomain, int maxConnections,
                          String mountPoint, int maxQos, int maxTopicAlias, TlsConfig tls, SecurityConfig security) {
        this(port, address, protocol, socketDomain, maxConnections, mountPoint, maxQos, maxTopicAlias, tls, security,
                HttpConfig.DEFAULTS);
    }

    /** A plain MQTT listener with mosquitto's per-listener defaults. */
    public ListenerConfig(int port, String address) {
        this(port, address, Protocol.MQTT, SocketDomain.ANY, -1, null, 2, DEFAULT_MAX_TOPIC_ALIAS, TlsConfig.NONE, null);
    }
}
