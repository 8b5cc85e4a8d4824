package io.starling.broker.core.protocol;

import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Packet;

/**
 * What the core needs from a network connection. Implemented by the transport over a Netty channel
 * and by tests in memory. Called only on the connection's event loop.
 */
public interface Connection {

    /** Encodes and buffers a packet; nothing is sent until {@link #flush()}. */
    void write(Packet packet);

    void flush();

    /** False while the outbound buffer is above its high-water mark. */
    boolean isWritable();

    /** Closes the network connection (after flushing what was written). */
    void close();

    /** The peer as {@code address:port}, for logs. */
    String remoteAddress();

    /** The local port the client connected to, for logs. */
    int localPort();

    /** Sets the version the encoder writes, once CONNECT told it. */
    void setProtocolVersion(MqttVersion version);

    /**
     * Closes the connection when nothing is read for {@code millis} (keepalive × 1.5, MQTT-3.1.2-24),
     * reporting it through {@link Client#onKeepAliveTimeout()}. 0 turns the check off.
     */
    void setReadTimeout(long millis);

    /** Stops or resumes reading from the socket (while a takeover completes on another loop). */
    void setReading(boolean reading);

    /**
     * The CONNECT is accepted (CONNACK sent): from now on the client is no stranger, and the limits for
     * connections that have not finished CONNECT (bytes, the deadline from accept) end.
     */
    default void connected() {
    }

    /**
     * Whether this is a client the broker runs itself (a bridge's local side): its CONNECT is not checked
     * against the password file or {@code clientid_prefixes}, as mosquitto does not check its bridges; the
     * CONNECT's user name ({@code local_username}) is still the one ACLs see.
     */
    default boolean trusted() {
        return false;
    }

    /**
     * The user name the transport vouches for (mosquitto's {@code use_identity_as_username} /
     * {@code use_subject_as_username}: from the client's TLS certificate), replacing the CONNECT's;
     * null when the listener does not do that.
     */
    default String tlsUsername() {
        return null;
    }

    /**
     * Whether the listener takes the user name from the client certificate
     * ({@code use_identity_as_username}): then the CONNECT's user name and password are ignored, and a
     * client without a usable certificate identity is refused.
     */
    default boolean usernameFromCertificate() {
        return false;
    }

    /**
     * The listener's {@code mount_point}: a prefix the broker puts in front of every topic and filter
     * of this connection, and takes off again when delivering to it; empty for none.
     */
    default String mountPoint() {
        return "";
    }

    /**
     * The password check and ACL of the listener this connection came through, when it has its own
     * (per_listener_settings true); null for the broker-wide ones.
     */
    default io.starling.broker.core.auth.SecurityRules security() {
        return null;
    }

    /**
     * The listener's own maximum QoS, topic alias maximum and client-id options; null for the
     * broker-wide ones ({@link io.starling.broker.core.BrokerCore#listenerDefaults()}).
     */
    default io.starling.broker.core.ListenerSettings listenerSettings() {
        return null;
    }
}
