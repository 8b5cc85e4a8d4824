package io.starling.broker.config.parse;

import io.starling.broker.config.BridgeConfig;
import io.starling.broker.config.BridgeTopic;
import io.starling.broker.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** One {@code connection} section while it is read, with mosquitto's defaults; {@link #build} checks it whole. */
final class BridgeDraft {
    final ConfigLine connection;
    final Repeats repeats = new Repeats();
    ConfigLine addressLine;
    final List<BridgeConfig.Address> addresses = new ArrayList<>();
    boolean roundRobin;
    BridgeConfig.StartType startType = BridgeConfig.StartType.AUTOMATIC;
    int threshold = 10;
    Duration idleTimeout = Duration.ofSeconds(60);
    BridgeConfig.Restart restart = BridgeConfig.Restart.DEFAULT;
    int keepalive = 60;
    boolean cleanSession;
    Boolean localCleanSession;
    String remoteClientId;
    String localClientId;
    String remoteUsername;
    String remotePassword;
    String localUsername;
    String localPassword;
    boolean notifications = true;
    boolean notificationsLocalOnly;
    String notificationTopic;
    BridgeConfig.Version version = BridgeConfig.Version.MQTT_3_1_1;
    boolean tryPrivate = true;
    boolean attemptUnsubscribe = true;
    boolean outgoingRetain = true;
    long maxPacketSize;
    String bindAddress;
    Path cafile;
    Path capath;
    Path certfile;
    Path keyfile;
    boolean insecure;
    String tlsVersion;
    String alpn;
    ConfigLine pskLine;
    final List<BridgeTopic> topics = new ArrayList<>();

    BridgeDraft(ConfigLine connection) {
        this.connection = connection;
    }

    String name() {
        return connection.words().get(0);
    }

    /** Fills in the client ids mosquitto derives (the remote one from the host name). */
    void defaultClientIds(String hostName) {
        if (remoteClientId == null) {
            remoteClientId = hostName + "." + name();
        }
        if (localClientId == null) {
            localClientId = "local." + remoteClientId;
        }
    }

    BridgeConfig build(ReadContext context) throws ConfigException {
        String name = name();
        if (addresses.isEmpty()) {
            throw connection.error("Invalid bridge configuration: no remote addresses defined for bridge '" + name + "'.");
        }
        if (topics.isEmpty()) {
            throw connection.error("Invalid bridge configuration: no topics defined for bridge '" + name + "'.");
        }
        if (pskLine != null) {
            throw pskLine.error("TLS-PSK bridges (bridge_identity, bridge_psk) are not supported: Starling's TLS stack "
                    + "offers no pre-shared keys. Use certificates (bridge_cafile, bridge_certfile, bridge_keyfile).");
        }
        if ((certfile == null) != (keyfile == null)) {
            ConfigLine at = repeats.line(certfile == null ? "bridge_keyfile" : "bridge_certfile");
            throw at.error("Invalid bridge configuration: bridge '" + name
                    + "' needs both bridge_certfile and bridge_keyfile, or neither.");
        }
        BridgeConfig.Tls tls = null;
        if (cafile != null || capath != null) {
            tls = new BridgeConfig.Tls(cafile, capath, certfile, keyfile, insecure, tlsVersion, alpn);
        } else if (certfile != null || insecure || tlsVersion != null || alpn != null) {
            ConfigLine at = firstOf("bridge_certfile", "bridge_insecure", "bridge_tls_version", "bridge_alpn");
            context.warn(at.warning("bridge '" + name + "' has TLS options but no bridge_cafile or bridge_capath: "
                    + "it connects without TLS, as mosquitto does."));
        }
        BridgeConfig.Login remote = remoteUsername == null ? null : new BridgeConfig.Login(remoteUsername, remotePassword);
        BridgeConfig.Login local = localUsername == null ? null : new BridgeConfig.Login(localUsername, localPassword);
        String topic = notificationTopic != null ? notificationTopic
                : "$SYS/broker/connection/" + remoteClientId + "/state";
        return new BridgeConfig(name, addresses, roundRobin, startType, threshold, idleTimeout, restart, keepalive,
                cleanSession, localCleanSession != null ? localCleanSession : cleanSession, remoteClientId, localClientId,
                remote, local, new BridgeConfig.Notifications(notifications, notificationsLocalOnly, topic), version,
                tryPrivate, attemptUnsubscribe, outgoingRetain, maxPacketSize, bindAddress, tls, topics);
    }

    private ConfigLine firstOf(String... keys) {
        ConfigLine first = null;
        for (String key : keys) {
            ConfigLine line = repeats.line(key);
            if (line != null && (first == null || line.number() < first.number())) {
                first = line;
            }
        }
        return first != null ? first : connection;
    }
}
