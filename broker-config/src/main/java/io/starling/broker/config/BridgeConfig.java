package io.starling.broker.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One {@code connection} section of mosquitto.conf: a bridge from this broker to another one, with
 * mosquitto 2.0's defaults (mosquitto.conf(5), "Configuring Bridges").
 *
 * @param name              the {@code connection} name
 * @param addresses         {@code address}/{@code addresses}, in order (port 1883 when not given)
 * @param roundRobin        {@code round_robin}: false goes back to the first address when it answers again
 * @param startType         {@code start_type}
 * @param threshold         {@code threshold}: queued messages that start a lazy bridge
 * @param idleTimeout       {@code idle_timeout}: a lazy bridge stops after this long without messages
 * @param restart           {@code restart_timeout}: how long to wait before connecting again
 * @param keepalive         {@code keepalive_interval}, seconds (5-65535)
 * @param cleanSession      {@code cleansession} (the remote session)
 * @param localCleanSession {@code local_cleansession} (this broker's session of the bridge), defaulting to
 *                          {@code cleanSession}
 * @param remoteClientId    {@code remote_clientid}/{@code clientid}, by default {@code <hostname>.<name>}
 * @param localClientId     {@code local_clientid}, by default {@code local.<remoteClientId>}
 * @param remoteLogin       {@code remote_username}/{@code remote_password}, or null
 * @param localLogin        {@code local_username}/{@code local_password}, or null
 * @param notifications     {@code notifications}, {@code notifications_local_only}, {@code notification_topic}
 * @param version           {@code bridge_protocol_version}
 * @param tryPrivate        {@code try_private}: tell the remote broker this is a bridge (protocol level | 0x80)
 * @param attemptUnsubscribe {@code bridge_attempt_unsubscribe}
 * @param outgoingRetain    {@code bridge_outgoing_retain}: false clears the retain flag of messages sent out
 * @param maxPacketSize     {@code bridge_max_packet_size}, 0 for no limit
 * @param bindAddress       {@code bridge_bind_address}, or null
 * @param tls               the {@code bridge_*} TLS options, or null for a plain connection
 * @param topics            the {@code topic} lines, in order (the first one that matches remaps)
 */
public record BridgeConfig(String name, List<Address> addresses, boolean roundRobin, StartType startType, int threshold,
                           Duration idleTimeout, Restart restart, int keepalive, boolean cleanSession,
                           boolean localCleanSession, String remoteClientId, String localClientId, Login remoteLogin,
                           Login localLogin, Notifications notifications, Version version, boolean tryPrivate,
                           boolean attemptUnsubscribe, boolean outgoingRetain, long maxPacketSize, String bindAddress,
                           Tls tls, List<BridgeTopic> topics) {

    public BridgeConfig {
        Objects.requireNonNull(name, "name");
        addresses = List.copyOf(addresses);
        topics = List.copyOf(topics);
        Objects.requireNonNull(startType, "startType");
        Objects.requireNonNull(restart, "restart");
        Objects.requireNonNull(remoteClientId, "remoteClientId");
        Objects.requireNonNull(localClientId, "localClientId");
        Objects.requireNonNull(notifications, "notifications");
        Objects.requireNonNull(version, "version");
        if (addresses.isEmpty() || topics.isEmpty()) {
            throw new IllegalArgumentException("a bridge needs addresses and topics");
        }
        if (keepalive < 5 || keepalive > 65535) {
            throw new IllegalArgumentException("keepalive out of range: " + keepalive);
        }
    }

    /** A remote broker's address: the port follows the last {@code :}, as mosquitto reads it. */
    public record Address(String host, int port) {
        public Address {
            Objects.requireNonNull(host, "host");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
        }

        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    public enum StartType { AUTOMATIC, LAZY, ONCE }

    /** {@code bridge_protocol_version}. */
    public enum Version { MQTT_3_1, MQTT_3_1_1, MQTT_5 }

    /**
     * {@code restart_timeout}: one value waits that long every time; two (or none, with mosquitto's 5 s and
     * 30 s) back off with jitter from {@code base} up to {@code cap}.
     *
     * @param cap null for a constant wait
     */
    public record Restart(Duration base, Duration cap) {
        public static final Restart DEFAULT = new Restart(Duration.ofSeconds(5), Duration.ofSeconds(30));

        public Restart {
            Objects.requireNonNull(base, "base");
            if (cap != null && cap.compareTo(base) < 0) {
                throw new IllegalArgumentException("cap below base");
            }
        }
    }

    /** A user name with its password (null when only the name is given). */
    public record Login(String username, String password) {
        public Login {
            Objects.requireNonNull(username, "username");
        }
    }

    /**
     * @param enabled   {@code notifications}: publish the bridge's state ({@code 1} connected, {@code 0} not), retained
     * @param localOnly {@code notifications_local_only}: only on this broker, not on the remote one
     * @param topic     {@code notification_topic}, by default {@code $SYS/broker/connection/<remote_clientid>/state}
     */
    public record Notifications(boolean enabled, boolean localOnly, String topic) {
        public Notifications {
            Objects.requireNonNull(topic, "topic");
        }
    }

    /**
     * The {@code bridge_*} TLS options. TLS is on when a CA file or path is given, as in mosquitto.
     *
     * @param insecure   {@code bridge_insecure}: the server's host name is not checked against its certificate
     * @param version    {@code bridge_tls_version} (tlsv1.2, tlsv1.3), or null for the library's choice
     * @param alpn       {@code bridge_alpn}, or null
     */
    public record Tls(Path cafile, Path capath, Path certfile, Path keyfile, boolean insecure, String version,
                      String alpn) {
    }
}
