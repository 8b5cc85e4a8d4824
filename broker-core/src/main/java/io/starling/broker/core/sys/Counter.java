package io.starling.broker.core.sys;

import io.starling.mqtt.codec.QoS;

/**
 * What the broker counts. Most are totals since start; a {@link Kind#GAUGE} is a level that goes up
 * and down (each loop adds its own +1s and -1s, and the sum is the level). The $SYS tree and the
 * metrics read the sums; the names in the comments are mosquitto's $SYS topics they feed.
 */
public enum Counter {
    /** Every MQTT packet read ($SYS/broker/messages/received). */
    PACKETS_RECEIVED(Kind.TOTAL),
    /** Every MQTT packet written ($SYS/broker/messages/sent). */
    PACKETS_SENT(Kind.TOTAL),
    /** Bytes of MQTT packets read ($SYS/broker/bytes/received). */
    BYTES_RECEIVED(Kind.TOTAL),
    /** Bytes of MQTT packets written ($SYS/broker/bytes/sent). */
    BYTES_SENT(Kind.TOTAL),
    PUBLISH_RECEIVED_QOS0(Kind.TOTAL),
    PUBLISH_RECEIVED_QOS1(Kind.TOTAL),
    PUBLISH_RECEIVED_QOS2(Kind.TOTAL),
    PUBLISH_SENT_QOS0(Kind.TOTAL),
    PUBLISH_SENT_QOS1(Kind.TOTAL),
    PUBLISH_SENT_QOS2(Kind.TOTAL),
    /** Payload bytes of the PUBLISH packets read, by QoS ($SYS/broker/publish/bytes/received is their sum). */
    PUBLISH_BYTES_RECEIVED_QOS0(Kind.TOTAL),
    PUBLISH_BYTES_RECEIVED_QOS1(Kind.TOTAL),
    PUBLISH_BYTES_RECEIVED_QOS2(Kind.TOTAL),
    PUBLISH_BYTES_SENT_QOS0(Kind.TOTAL),
    PUBLISH_BYTES_SENT_QOS1(Kind.TOTAL),
    PUBLISH_BYTES_SENT_QOS2(Kind.TOTAL),
    /** Network connections accepted ($SYS/broker/load/sockets). */
    SOCKETS_OPENED(Kind.TOTAL),
    /** CONNECT packets read ($SYS/broker/load/connections). */
    CONNECTS_RECEIVED(Kind.TOTAL),
    /** CONNECTs refused for their user name, password or client id (not authorised, bad credentials). */
    CONNECTS_REFUSED_AUTH(Kind.TOTAL),
    /** CONNECTs refused for another reason (protocol version, keepalive, shutting down ...). */
    CONNECTS_REFUSED_OTHER(Kind.TOTAL),
    /** The client sent DISCONNECT. */
    DISCONNECTS_CLIENT(Kind.TOTAL),
    /** The network connection ended without DISCONNECT. */
    DISCONNECTS_CONNECTION_LOST(Kind.TOTAL),
    DISCONNECTS_KEEPALIVE_TIMEOUT(Kind.TOTAL),
    /** Another connection took the client id over. */
    DISCONNECTS_TAKEN_OVER(Kind.TOTAL),
    /** The broker closed the connection for a protocol violation or a malformed packet. */
    DISCONNECTS_PROTOCOL_ERROR(Kind.TOTAL),
    DISCONNECTS_SHUTDOWN(Kind.TOTAL),
    /** A reload of the password file no longer accepts the client's credentials. */
    DISCONNECTS_CREDENTIALS_REVOKED(Kind.TOTAL),
    /** Offline sessions removed when their expiry interval passed ($SYS/broker/clients/expired). */
    SESSIONS_EXPIRED(Kind.TOTAL),
    /** Clients connected now: CONNACK sent, connection still open ($SYS/broker/clients/connected). */
    CLIENTS_CONNECTED(Kind.GAUGE),
    /** Messages waiting in sessions' queues behind their inflight windows. */
    QUEUED_MESSAGES(Kind.GAUGE),
    QUEUED_BYTES(Kind.GAUGE),
    /** Outgoing QoS 1/2 messages sent and not yet acknowledged. */
    INFLIGHT_MESSAGES(Kind.GAUGE),
    /** Payload bytes the inflight messages still hold (QoS 2 past PUBREC holds none). */
    INFLIGHT_BYTES(Kind.GAUGE),
    /** Subscriptions of all sessions, shared ones excluded ($SYS/broker/subscriptions/count). */
    SUBSCRIPTIONS(Kind.GAUGE),
    /** Shared subscriptions ($share/...) of all sessions ($SYS/broker/shared_subscriptions/count). */
    SHARED_SUBSCRIPTIONS(Kind.GAUGE);

    /** Whether the sum only grows, or is a level. */
    public enum Kind { TOTAL, GAUGE }

    /** values() copies its array on every call: one copy for the message path to index. */
    private static final Counter[] ALL = values();
    static final int COUNT = ALL.length;

    private final Kind kind;

    Counter(Kind kind) {
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public static Counter publishReceived(QoS qos) {
        return byQos(PUBLISH_RECEIVED_QOS0, qos);
    }

    public static Counter publishSent(QoS qos) {
        return byQos(PUBLISH_SENT_QOS0, qos);
    }

    public static Counter publishBytesReceived(QoS qos) {
        return byQos(PUBLISH_BYTES_RECEIVED_QOS0, qos);
    }

    public static Counter publishBytesSent(QoS qos) {
        return byQos(PUBLISH_BYTES_SENT_QOS0, qos);
    }

    private static Counter byQos(Counter qos0, QoS qos) {
        return ALL[qos0.ordinal() + qos.value()];
    }
}
