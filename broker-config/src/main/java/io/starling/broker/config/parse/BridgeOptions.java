package io.starling.broker.config.parse;

import io.starling.broker.config.BridgeConfig;
import io.starling.broker.config.BridgeTopic;
import io.starling.broker.config.ConfigException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The bridge options of mosquitto.conf(5): a {@code connection} line opens a bridge, and the bridge options
 * after it configure that bridge, with mosquitto 2.0's defaults, checks and error texts (compared with
 * Debian's mosquitto 2.0.11). Checks that need the whole file (addresses and topics given, unique local
 * client ids) are made in {@link #build}.
 */
final class BridgeOptions implements OptionGroup {
    private final Map<String, BridgeDraft> bridges = new LinkedHashMap<>();
    private BridgeDraft bridge;

    @Override
    public boolean read(ConfigLine line, ReadContext context) throws ConfigException {
        String key = line.key();
        if (key.equals("connection")) {
            connection(line);
            return true;
        }
        if (!isBridgeOption(key)) {
            return false;
        }
        BridgeDraft b = bridge(line);
        switch (key) {
            case "address", "addresses" -> addresses(b, line);
            case "topic" -> b.topics.add(topic(line));
            case "round_robin" -> b.roundRobin = scalar(b, line, context).bool();
            case "start_type" -> b.startType = startType(scalar(b, line, context));
            case "threshold" -> b.threshold = (int) atLeast(scalar(b, line, context), 1, "threshold too low, using 1 message.", context);
            case "idle_timeout" -> b.idleTimeout = Duration.ofSeconds(atLeast(scalar(b, line, context), 1,
                    "idle_timeout interval too low, using 1 second.", context));
            case "restart_timeout" -> b.restart = restart(scalar(b, line, context), context);
            case "keepalive_interval" -> b.keepalive = keepalive(scalar(b, line, context), context);
            case "cleansession" -> b.cleanSession = scalar(b, line, context).bool();
            case "local_cleansession" -> b.localCleanSession = scalar(b, line, context).bool();
            case "clientid", "remote_clientid" -> b.remoteClientId = text(b, line, "bridge remote clientid");
            case "local_clientid" -> b.localClientId = text(b, line, "bridge local clientid");
            case "username", "remote_username" -> b.remoteUsername = text(b, line, "bridge remote_username");
            case "password", "remote_password" -> b.remotePassword = text(b, line, "bridge remote_password");
            case "local_username" -> b.localUsername = text(b, line, "bridge local_username");
            case "local_password" -> b.localPassword = text(b, line, "bridge local_password");
            case "notifications" -> b.notifications = scalar(b, line, context).bool();
            case "notifications_local_only" -> b.notificationsLocalOnly = scalar(b, line, context).bool();
            case "notification_topic" -> b.notificationTopic = text(b, line, "notification_topic");
            case "bridge_protocol_version" -> b.version = version(scalar(b, line, context));
            case "try_private" -> b.tryPrivate = scalar(b, line, context).bool();
            case "bridge_attempt_unsubscribe" -> b.attemptUnsubscribe = scalar(b, line, context).bool();
            case "bridge_outgoing_retain" -> b.outgoingRetain = scalar(b, line, context).bool();
            case "bridge_max_packet_size" -> b.maxPacketSize = Math.max(0, scalar(b, line, context).integer());
            case "bridge_bind_address" -> b.bindAddress = text(b, line, "bridge_bind_address");
            case "bridge_cafile" -> b.cafile = certificates(b, line).path();
            case "bridge_capath" -> b.capath = certificates(b, line).path();
            case "bridge_certfile" -> b.certfile = certificates(b, line).path();
            case "bridge_keyfile" -> b.keyfile = certificates(b, line).path();
            case "bridge_insecure" -> insecure(b, scalar(b, line, context), context);
            case "bridge_tls_version" -> b.tlsVersion = tlsVersion(b, line);
            case "bridge_alpn" -> b.alpn = text(b, line, "bridge_alpn");
            case "bridge_require_ocsp" -> {
                scalar(b, line, context).bool();
                context.warn(line.warning("'bridge_require_ocsp' is not supported yet and was ignored."));
            }
            case "bridge_identity", "bridge_psk" -> psk(b, line);
            default -> throw new IllegalStateException(key);
        }
        return true;
    }

    /**
     * The bridges in file order, with their derived client ids; refuses a bridge without addresses or topics and
     * two bridges with one local client id, as mosquitto does.
     */
    List<BridgeConfig> build(ReadContext context) throws ConfigException {
        List<BridgeConfig> built = new ArrayList<>();
        Map<String, BridgeDraft> localIds = new LinkedHashMap<>();
        String host = bridges.isEmpty() ? null : hostName();
        for (BridgeDraft b : bridges.values()) {
            b.defaultClientIds(host);
            BridgeDraft before = localIds.putIfAbsent(b.localClientId, b);
            if (before != null) {
                throw b.connection.error("Bridge local_clientid '" + b.localClientId + "' is not unique (bridge '"
                        + before.name() + "' at " + before.connection.where() + " has it too). Try changing or setting "
                        + "the local_clientid value for one of the bridges.");
            }
            built.add(b.build(context));
        }
        return built;
    }

    private static boolean isBridgeOption(String key) {
        return switch (key) {
            case "address", "addresses", "topic", "round_robin", "start_type", "threshold", "idle_timeout",
                    "restart_timeout", "keepalive_interval", "cleansession", "local_cleansession", "clientid",
                    "remote_clientid", "local_clientid", "username", "remote_username", "password", "remote_password",
                    "local_username", "local_password", "notifications", "notifications_local_only",
                    "notification_topic", "bridge_protocol_version", "try_private", "bridge_attempt_unsubscribe",
                    "bridge_outgoing_retain", "bridge_max_packet_size", "bridge_bind_address", "bridge_cafile",
                    "bridge_capath", "bridge_certfile", "bridge_keyfile", "bridge_insecure", "bridge_tls_version",
                    "bridge_alpn", "bridge_require_ocsp", "bridge_identity", "bridge_psk" -> true;
            default -> false;
        };
    }

    private void connection(ConfigLine line) throws ConfigException {
        String name = line.word();
        BridgeDraft before = bridges.get(name);
        if (before != null) {
            throw line.error("Duplicate bridge name \"" + name + "\" (first given at " + before.connection.where() + ").");
        }
        bridge = new BridgeDraft(line);
        bridges.put(name, bridge);
    }

    /** The bridge of the last {@code connection} line. */
    private BridgeDraft bridge(ConfigLine line) throws ConfigException {
        if (bridge == null) {
            throw line.error("Invalid bridge configuration: " + line.key() + " must follow a connection line.");
        }
        return bridge;
    }

    /** A one-word option: a later line wins, with a warning. */
    private static ConfigLine scalar(BridgeDraft b, ConfigLine line, ReadContext context) throws ConfigException {
        line.word();
        b.repeats.lastWins(line, line.key(), context);
        return line;
    }

    /** A text option (the rest of the line), which mosquitto refuses to repeat. */
    private static String text(BridgeDraft b, ConfigLine line, String name) throws ConfigException {
        String value = line.text();
        b.repeats.refuse(line, name);
        return value;
    }

    private static ConfigLine certificates(BridgeDraft b, ConfigLine line) throws ConfigException {
        if (b.pskLine != null) {
            throw line.error("Cannot use both certificate and psk encryption in a single bridge.");
        }
        text(b, line, line.key());
        return line;
    }

    private static void psk(BridgeDraft b, ConfigLine line) throws ConfigException {
        text(b, line, line.key());
        if (b.cafile != null || b.capath != null || b.certfile != null || b.keyfile != null) {
            throw line.error("Cannot use both certificate and psk encryption in a single bridge.");
        }
        if (b.pskLine == null) {
            b.pskLine = line;
        }
    }

    private static void insecure(BridgeDraft b, ConfigLine line, ReadContext context) throws ConfigException {
        b.insecure = line.bool();
        if (b.insecure) {
            context.warn(line.warning("Bridge " + b.name() + " using insecure mode."));
        }
    }

    private static String tlsVersion(BridgeDraft b, ConfigLine line) throws ConfigException {
        String v = text(b, line, "bridge_tls_version");
        if (!v.equals("tlsv1.2") && !v.equals("tlsv1.3")) {
            throw line.error("Invalid bridge_tls_version value (" + v + "): Starling's bridges speak tlsv1.2 or tlsv1.3.");
        }
        return v;
    }

    /** {@code address host[:port] [host[:port] ...]}: once per bridge; the port follows the last colon. */
    private static void addresses(BridgeDraft b, ConfigLine line) throws ConfigException {
        if (b.addressLine != null) {
            throw line.error("Invalid bridge configuration: bridge '" + b.name() + "' already has its addresses (given at "
                    + b.addressLine.where() + ").");
        }
        b.addressLine = line;
        for (String word : line.words()) {
            if (word.startsWith("#")) {
                break;
            }
            b.addresses.add(address(line, word));
        }
        if (b.addresses.isEmpty()) {
            throw line.empty();
        }
    }

    private static BridgeConfig.Address address(ConfigLine line, String word) throws ConfigException {
        int colon = word.lastIndexOf(':');
        if (colon < 0) {
            return new BridgeConfig.Address(word, 1883);
        }
        String host = word.substring(0, colon);
        String port = word.substring(colon + 1);
        int p = port.matches("[0-9]{1,5}") ? Integer.parseInt(port) : 0;
        if (p < 1 || p > 65535) {
            throw line.error("Invalid port value (" + port + ").");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1); // [::1]:1883, which mosquitto cannot resolve
        }
        if (host.isEmpty()) {
            throw line.error("Invalid bridge address '" + word + "': no host before the port.");
        }
        return new BridgeConfig.Address(host, p);
    }

    /** {@code topic <pattern> [[[out|in|both] qos] local-prefix remote-prefix]}; a word from {@code #} on after the pattern is a comment. */
    static BridgeTopic topic(ConfigLine line) throws ConfigException {
        List<String> words = new ArrayList<>(line.words());
        if (words.isEmpty()) {
            throw line.error("Empty topic value in configuration.");
        }
        for (int i = 1; i < words.size(); i++) {
            if (words.get(i).startsWith("#")) {
                words = words.subList(0, i);
                break;
            }
        }
        String pattern = quotedEmpty(words.get(0));
        BridgeTopic.Direction direction = BridgeTopic.Direction.OUT;
        int qos = 0;
        String localPrefix = null;
        String remotePrefix = null;
        if (words.size() > 1) {
            direction = switch (words.get(1).toLowerCase(Locale.ROOT)) {
                case "out" -> BridgeTopic.Direction.OUT;
                case "in" -> BridgeTopic.Direction.IN;
                case "both" -> BridgeTopic.Direction.BOTH;
                default -> throw line.error("Invalid bridge topic direction '" + words.get(1) + "'.");
            };
        }
        if (words.size() > 2) {
            String q = words.get(2);
            if (!q.matches("[0-2]")) {
                throw line.error("Invalid bridge QoS level '" + q + "'.");
            }
            qos = Integer.parseInt(q);
        }
        if (words.size() > 3) {
            localPrefix = quotedEmpty(words.get(3));
        }
        if (words.size() > 4) {
            remotePrefix = quotedEmpty(words.get(4));
        }
        if (localPrefix != null && !TopicSyntax.isTopicName(localPrefix)) {
            throw line.error("Invalid bridge topic local prefix '" + localPrefix + "'.");
        }
        if (remotePrefix != null && !TopicSyntax.isTopicName(remotePrefix)) {
            throw line.error("Invalid bridge topic remote prefix '" + remotePrefix + "'.");
        }
        if (pattern == null && (localPrefix == null || remotePrefix == null)) {
            throw line.error("Invalid bridge remapping.");
        }
        if (pattern != null && !TopicSyntax.isTopicFilter(pattern)) {
            throw line.error("Invalid bridge topic pattern '" + pattern + "'.");
        }
        BridgeTopic topic = new BridgeTopic(pattern, direction, qos, localPrefix, remotePrefix);
        combination(line, "local", localPrefix, topic.localTopic());
        combination(line, "remote", remotePrefix, topic.remoteTopic());
        return topic;
    }

    private static void combination(ConfigLine line, String side, String prefix, String joined) throws ConfigException {
        if (prefix != null && !TopicSyntax.isTopicFilter(joined)) {
            throw line.error("Invalid bridge topic " + side + " prefix and pattern combination '" + joined + "'.");
        }
    }

    /** {@code ""} stands for nothing, as in mosquitto. */
    private static String quotedEmpty(String word) {
        return word.equals("\"\"") ? null : word;
    }

    private static BridgeConfig.StartType startType(ConfigLine line) throws ConfigException {
        String w = line.word();
        return switch (w) {
            case "automatic" -> BridgeConfig.StartType.AUTOMATIC;
            case "lazy" -> BridgeConfig.StartType.LAZY;
            case "once" -> BridgeConfig.StartType.ONCE;
            case "manual" -> throw line.error("Manual start_type not supported.");
            default -> throw line.error("Invalid start_type value in configuration (" + w + ").");
        };
    }

    private static BridgeConfig.Version version(ConfigLine line) throws ConfigException {
        String w = line.word();
        return switch (w) {
            case "mqttv31" -> BridgeConfig.Version.MQTT_3_1;
            case "mqttv311" -> BridgeConfig.Version.MQTT_3_1_1;
            case "mqttv50" -> BridgeConfig.Version.MQTT_5;
            default -> throw line.invalid(w);
        };
    }

    /** {@code restart_timeout base [cap]}: one value is a constant wait, two a jittered backoff. */
    private static BridgeConfig.Restart restart(ConfigLine line, ReadContext context) throws ConfigException {
        List<String> words = line.words();
        long base = seconds(line, words.get(0));
        if (base < 1) {
            context.warn(line.warning("restart_timeout interval too low, using 1 second."));
            base = 1;
        }
        if (words.size() < 2 || words.get(1).startsWith("#")) {
            return new BridgeConfig.Restart(Duration.ofSeconds(base), null);
        }
        long cap = seconds(line, words.get(1));
        if (cap < base) {
            throw line.error("backoff cap is lower than the base in restart_timeout.");
        }
        return new BridgeConfig.Restart(Duration.ofSeconds(base), Duration.ofSeconds(cap));
    }

    private static long seconds(ConfigLine line, String word) throws ConfigException {
        if (!word.matches("-?[0-9]{1,9}")) {
            throw line.invalid(word);
        }
        return Long.parseLong(word);
    }

    private static int keepalive(ConfigLine line, ReadContext context) throws ConfigException {
        long k = line.integer();
        if (k > 65535) {
            throw line.error("Bridge keepalive value too high.");
        }
        if (k < 5) {
            context.warn(line.warning("keepalive interval too low, using 5 seconds."));
            return 5;
        }
        return (int) k;
    }

    private static long atLeast(ConfigLine line, long min, String notice, ReadContext context) throws ConfigException {
        long v = line.integer();
        if (v < min) {
            context.warn(line.warning(notice));
            return min;
        }
        return v;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
