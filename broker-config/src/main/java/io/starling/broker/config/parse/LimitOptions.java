package io.starling.broker.config.parse;

import io.starling.broker.config.ConfigException;
import io.starling.broker.config.Limits;
import io.starling.broker.config.OverloadLimits;

/** The broker-wide flow and size limits, with mosquitto 2.0.11's ranges and clamping. */
final class LimitOptions implements OptionGroup {
    private static final int MQTT_MAX_PAYLOAD = 268_435_455;

    private final Repeats repeats = new Repeats();
    private int maxInflightMessages = Limits.DEFAULTS.maxInflightMessages();
    private long maxInflightBytes = Limits.DEFAULTS.maxInflightBytes();
    private int maxQueuedMessages = Limits.DEFAULTS.maxQueuedMessages();
    private long maxQueuedBytes = Limits.DEFAULTS.maxQueuedBytes();
    private boolean queueQos0Messages = Limits.DEFAULTS.queueQos0Messages();
    private int messageSizeLimit = Limits.DEFAULTS.messageSizeLimit();
    private int maxPacketSize = Limits.DEFAULTS.maxPacketSize();
    private int maxKeepalive = Limits.DEFAULTS.maxKeepalive();
    private long maxOutgoingBytes = OverloadLimits.DEFAULTS.maxOutgoingBytes();
    private long maxLoopBacklogBytes = OverloadLimits.DEFAULTS.maxLoopBacklogBytes();
    private int maxConnectBytes = OverloadLimits.DEFAULTS.maxConnectBytes();
    private int maxConnectingClients = OverloadLimits.DEFAULTS.maxConnectingClients();
    private long maxConnectingBytes = OverloadLimits.DEFAULTS.maxConnectingBytes();
    private long maxHeldQos2Bytes = OverloadLimits.DEFAULTS.maxHeldQos2Bytes();
    private int passwordCheckThreads = Limits.DEFAULTS.passwordCheckThreads();
    private int maxPendingPasswordChecks = Limits.DEFAULTS.maxPendingPasswordChecks();
    private int maxSubscribeFilters = Limits.DEFAULTS.maxSubscribeFilters();

    @Override
    public boolean read(ConfigLine line, ReadContext context) throws ConfigException {
        switch (line.key()) {
            case "max_inflight_messages" -> maxInflightMessages = maxInflightMessages(scalar(line, context));
            case "max_inflight_bytes" -> maxInflightBytes = Math.max(0, scalar(line, context).integer());
            case "max_queued_messages" -> maxQueuedMessages = Math.max(0, intValue(scalar(line, context)));
            case "max_queued_bytes" -> maxQueuedBytes = Math.max(0, scalar(line, context).integer());
            case "queue_qos0_messages" -> queueQos0Messages = scalar(line, context).bool();
            case "message_size_limit" -> messageSizeLimit = scalar(line, context).integer(0, MQTT_MAX_PAYLOAD);
            case "max_packet_size" -> maxPacketSize = scalar(line, context).integer(20, Integer.MAX_VALUE);
            case "max_keepalive" -> maxKeepalive = scalar(line, context).integer(10, 65535);
            case "max_outgoing_bytes" -> maxOutgoingBytes = bytes(scalar(line, context), 0);
            case "max_loop_backlog_bytes" -> maxLoopBacklogBytes = bytes(scalar(line, context), 1024);
            case "max_connect_bytes" -> maxConnectBytes = scalar(line, context).integer(1024, Integer.MAX_VALUE);
            case "max_connecting_clients" -> maxConnectingClients = scalar(line, context).integer(0, Integer.MAX_VALUE);
            case "max_connecting_bytes" -> maxConnectingBytes = bytes(scalar(line, context), 0);
            case "max_held_qos2_bytes" -> maxHeldQos2Bytes = bytes(scalar(line, context), 0);
            case "password_check_threads" -> passwordCheckThreads = scalar(line, context).integer(1, 256);
            case "max_pending_password_checks" ->
                    maxPendingPasswordChecks = scalar(line, context).integer(1, 1_000_000);
            case "max_subscribe_filters" -> maxSubscribeFilters = scalar(line, context).integer(0, Integer.MAX_VALUE);
            default -> {
                return false;
            }
        }
        return true;
    }

    Limits build() {
        return new Limits(maxInflightMessages, maxInflightBytes, maxQueuedMessages, maxQueuedBytes, queueQos0Messages,
                messageSizeLimit, maxPacketSize, maxKeepalive, maxSubscribeFilters, passwordCheckThreads,
                maxPendingPasswordChecks, new OverloadLimits(maxOutgoingBytes, maxLoopBacklogBytes, maxConnectBytes,
                maxConnectingClients, maxConnectingBytes, maxHeldQos2Bytes));
    }

    private ConfigLine scalar(ConfigLine line, ReadContext context) {
        repeats.lastWins(line, line.key(), context);
        context.warnExtraWords(line, 1);
        return line;
    }

    /** Mosquitto: negative or 65535 means no limit (0); above 65535 is an error. */
    private static int maxInflightMessages(ConfigLine line) throws ConfigException {
        long n = line.integer();
        if (n > 65535) {
            throw line.error("max_inflight_messages must be <= 65535.");
        }
        return n < 0 || n == 65535 ? 0 : (int) n;
    }

    /** A byte count of at least {@code min}; below it is {@code Invalid <key> value (<v>).}. */
    private static long bytes(ConfigLine line, long min) throws ConfigException {
        long n = line.integer();
        if (n < min) {
            throw line.invalid(line.word());
        }
        return n;
    }

    private static int intValue(ConfigLine line) throws ConfigException {
        return line.integer(Integer.MIN_VALUE, Integer.MAX_VALUE);
    }
}
