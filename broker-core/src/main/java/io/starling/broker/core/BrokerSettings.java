package io.starling.broker.core;

/**
 * The limits and choices the core needs, with Mosquitto 2.0's defaults. Build variations with
 * {@link #toBuilder()}.
 *
 * @param maxInflightMessages    outgoing QoS 1/2 messages awaiting acknowledgement per client, and the
 *                               Receive Maximum announced to 5.0 clients (0 = 65535, nothing announced)
 * @param maxQueuedMessages      messages queued behind the inflight window per client (0 = unlimited)
 * @param maxQueuedBytes         payload bytes queued per client (0 = unlimited)
 * @param queueQos0Messages      whether an offline persistent session queues QoS 0 messages
 * @param maxPacketSize          largest packet accepted, fixed header included
 * @param messageSizeLimit       largest PUBLISH payload accepted (0 = unlimited)
 * @param maxKeepAlive           the largest keepalive a client may ask for (a 3.1.1 client asking more is
 *                               refused; a 5.0 client is told this value as Server Keep Alive)
 * @param allowZeroLengthClientId whether an empty client id gets an assigned one
 * @param autoIdPrefix           prefix of assigned client ids
 * @param maxTopicLevels         topics and filters with more levels are refused (guards deep recursion and memory)
 * @param retainAvailable        whether retained messages are supported
 * @param connectTimeoutSeconds  a connection that sends no CONNECT in this time is closed
 * @param maxTopicAlias          the Topic Alias Maximum announced to 5.0 clients (mosquitto's max_topic_alias)
 * @param maxQos                 the highest QoS the broker accepts (a listener's max_qos)
 * @param persistentClientExpirationSeconds how long a session that would never expire is kept offline
 *                               (mosquitto's persistent_client_expiration); 0 = forever
 * @param upgradeOutgoingQos     deliver at the subscription's QoS even above the published QoS
 *                               (mosquitto's upgrade_outgoing_qos; not MQTT compliant, off by default)
 * @param clientIdPrefixes       client ids must start with this (mosquitto's clientid_prefixes), or null
 * @param maxInflightBytes       payload bytes of outgoing QoS 1/2 messages in flight per client, beyond which
 *                               no new one is sent (mosquitto's max_inflight_bytes; one message always may); 0 = no limit
 * @param maxSubscribeFilters    filters one SUBSCRIBE may carry; the ones past it are refused in SUBACK (each filter
 *                               costs a walk of the retained messages it reaches); 0 = no limit
 * @param passwordCheckThreads   threads that run slow password checks (argon2id), off the event loops
 * @param maxPendingPasswordChecks logins that may wait for a password check thread; one more is refused as
 *                               server busy (3.1.1: 3, 5.0: 0x89)
 * @param overload               the bounds against hostile and overloaded clients (output, backlog, before CONNECT)
 * @param checkRetainSource      before a retained message is sent to a new subscriber, check again that its
 *                               publisher may still write its topic (mosquitto's check_retain_source)
 */
public record BrokerSettings(int maxInflightMessages, int maxQueuedMessages, long maxQueuedBytes,
                             boolean queueQos0Messages, int maxPacketSize, int messageSizeLimit,
                             int maxKeepAlive, boolean allowZeroLengthClientId, String autoIdPrefix,
                             int maxTopicLevels, boolean retainAvailable, int connectTimeoutSeconds,
                             int maxTopicAlias, int maxQos, long persistentClientExpirationSeconds,
                             boolean upgradeOutgoingQos, String clientIdPrefixes, long maxInflightBytes,
                             int maxSubscribeFilters, int passwordCheckThreads, int maxPendingPasswordChecks,
                             OverloadLimits overload, boolean checkRetainSource) {

    /** The protocol's largest packet: 268,435,455 bytes of remaining length plus a 5-byte fixed header. */
    public static final int PROTOCOL_MAX_PACKET_SIZE = 268_435_455 + 5;
    /** Two argon2id hashes at a time: ~92 MiB of hash memory, and a core left for the event loops. */
    public static final int DEFAULT_PASSWORD_CHECK_THREADS = 2;
    /**
     * 16 waiting logins: at 100-200 ms per argon2id hash on two threads a login waits at most 1-2 s
     * (measured in PasswordCheckFloodTest: 64 waiting made a login wait more than 5 s on two busy cores).
     */
    public static final int DEFAULT_MAX_PENDING_PASSWORD_CHECKS = 16;
    /** Above the largest batch common clients send (Home Assistant: 500 filters per SUBSCRIBE). */
    public static final int DEFAULT_MAX_SUBSCRIBE_FILTERS = 1000;

    public BrokerSettings {
        if (maxInflightMessages < 0 || maxInflightMessages > 65535 || maxQueuedMessages < 0 || maxQueuedBytes < 0
                || maxPacketSize < 2 || messageSizeLimit < 0 || maxKeepAlive < 0 || maxKeepAlive > 65535
                || maxTopicLevels < 1 || maxTopicAlias < 0 || maxTopicAlias > 65535 || maxQos < 0 || maxQos > 2
                || persistentClientExpirationSeconds < 0 || maxInflightBytes < 0 || passwordCheckThreads < 1
                || maxPendingPasswordChecks < 1 || overload == null || maxSubscribeFilters < 0) {
            throw new IllegalArgumentException("invalid broker settings: " + this);
        }
    }


    /**
     * Topics and filters may have at most 200 '/' (201 levels), mosquitto's fixed limit
     * ({@code TOPIC_HIERARCHY_LIMIT}): a PUBLISH to a deeper topic is refused with 0x82, a SUBSCRIBE
     * or UNSUBSCRIBE with a deeper filter is malformed.
     */
    public static final int MAX_TOPIC_LEVELS = 201;

    public static BrokerSettings defaults() {
        return new BrokerSettings(20, 1000, 0, false, PROTOCOL_MAX_PACKET_SIZE, 0, 65535, true, "auto-",
                MAX_TOPIC_LEVELS, true, 30, 10, 2, 0, false, null, 0, DEFAULT_MAX_SUBSCRIBE_FILTERS, DEFAULT_PASSWORD_CHECK_THREADS,
                DEFAULT_MAX_PENDING_PASSWORD_CHECKS, OverloadLimits.DEFAULTS, false);
    }

    /** The inflight limit as a count: 0 means no limit other than the packet id space. */
    public int inflightLimit() {
        return maxInflightMessages == 0 ? 65535 : maxInflightMessages;
    }

    public Builder toBuilder() {
        return new Builder(this);
    }


    /** Changes some settings of a copy; the rest keep their values. */
    public static final class Builder {
        private int maxInflightMessages;
        private int maxQueuedMessages;
        private long maxQueuedBytes;
        private boolean queueQos0Messages;
        private int maxPacketSize;
        private int messageSizeLimit;
        private int maxKeepAlive;
        private boolean allowZeroLengthClientId;
        private String autoIdPrefix;
        private int maxTopicLevels;
        private boolean retainAvailable;
        private int connectTimeoutSeconds;
        private int maxTopicAlias;
        private int maxQos;
        private long persistentClientExpirationSeconds;
        private boolean upgradeOutgoingQos;
        private boolean checkRetainSource;
        private String clientIdPrefixes;
        private long maxInflightBytes;
        private int maxSubscribeFilters;
        private int passwordCheckThreads;
        private int maxPendingPasswordChecks;
        private OverloadLimits overload;

        private Builder(BrokerSettings s) {
            maxInflightMessages = s.maxInflightMessages;
            maxQueuedMessages = s.maxQueuedMessages;
            maxQueuedBytes = s.maxQueuedBytes;
            queueQos0Messages = s.queueQos0Messages;
            maxPacketSize = s.maxPacketSize;
            messageSizeLimit = s.messageSizeLimit;
            maxKeepAlive = s.maxKeepAlive;
            allowZeroLengthClientId = s.allowZeroLengthClientId;
            autoIdPrefix = s.autoIdPrefix;
            maxTopicLevels = s.maxTopicLevels;
            retainAvailable = s.retainAvailable;
            connectTimeoutSeconds = s.connectTimeoutSeconds;
            maxTopicAlias = s.maxTopicAlias;
            maxQos = s.maxQos;
            persistentClientExpirationSeconds = s.persistentClientExpirationSeconds;
            upgradeOutgoingQos = s.upgradeOutgoingQos;
            checkRetainSource = s.checkRetainSource;
            clientIdPrefixes = s.clientIdPrefixes;
            maxInflightBytes = s.maxInflightBytes;
            maxSubscribeFilters = s.maxSubscribeFilters;
            overload = s.overload;
            passwordCheckThreads = s.passwordCheckThreads;
            maxPendingPasswordChecks = s.maxPendingPasswordChecks;
        }

        public Builder maxSubscribeFilters(int v) {
            maxSubscribeFilters = v;
            return this;
        }

        public Builder overload(OverloadLimits v) {
            overload = v;
            return this;
        }

        public Builder passwordCheckThreads(int v) {
            passwordCheckThreads = v;
            return this;
        }

        public Builder maxPendingPasswordChecks(int v) {
            maxPendingPasswordChecks = v;
            return this;
        }

        public Builder maxInflightBytes(long v) {
            maxInflightBytes = v;
            return this;
        }

        public Builder maxInflightMessages(int v) {
            maxInflightMessages = v;
            return this;
        }

        public Builder maxQueuedMessages(int v) {
            maxQueuedMessages = v;
            return this;
        }

        public Builder maxQueuedBytes(long v) {
            maxQueuedBytes = v;
            return this;
        }

        public Builder queueQos0Messages(boolean v) {
            queueQos0Messages = v;
            return this;
        }

        public Builder maxPacketSize(int v) {
            maxPacketSize = v;
            return this;
        }

        public Builder messageSizeLimit(int v) {
            messageSizeLimit = v;
            return this;
        }

        public Builder maxKeepAlive(int v) {
            maxKeepAlive = v;
            return this;
        }

        public Builder allowZeroLengthClientId(boolean v) {
            allowZeroLengthClientId = v;
            return this;
        }

        public Builder autoIdPrefix(String v) {
            autoIdPrefix = v;
            return this;
        }

        public Builder maxTopicLevels(int v) {
            maxTopicLevels = v;
            return this;
        }

        public Builder retainAvailable(boolean v) {
            retainAvailable = v;
            return this;
        }

        public Builder connectTimeoutSeconds(int v) {
            connectTimeoutSeconds = v;
            return this;
        }

        public Builder maxTopicAlias(int v) {
            maxTopicAlias = v;
            return this;
        }

        public Builder maxQos(int v) {
            maxQos = v;
            return this;
        }

        public Builder persistentClientExpirationSeconds(long v) {
            persistentClientExpirationSeconds = v;
            return this;
        }

        public Builder upgradeOutgoingQos(boolean v) {
            upgradeOutgoingQos = v;
            return this;
        }

        public Builder clientIdPrefixes(String v) {
            clientIdPrefixes = v;
            return this;
        }

        public BrokerSettings build() {
            return new BrokerSettings(maxInflightMessages, maxQueuedMessages, maxQueuedBytes, queueQos0Messages,
                    maxPacketSize, messageSizeLimit, maxKeepAlive, allowZeroLengthClientId, autoIdPrefix,
                    maxTopicLevels, retainAvailable, connectTimeoutSeconds, maxTopicAlias, maxQos,
                    persistentClientExpirationSeconds, upgradeOutgoingQos, clientIdPrefixes, maxInflightBytes,
                    maxSubscribeFilters, passwordCheckThreads, maxPendingPasswordChecks, overload, checkRetainSource);
        }

        public Builder checkRetainSource(boolean v) {
            checkRetainSource = v;
            return this;
        }
    }
}
