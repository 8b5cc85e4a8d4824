package io.starling.broker.config.parse;

import io.starling.broker.config.ConfigException;
import io.starling.broker.config.HttpConfig;
import io.starling.broker.config.ListenerConfig;
import io.starling.broker.config.Protocol;
import io.starling.broker.config.SocketDomain;

/**
 * One listener while the file is being read: a {@code listener} block, or the default listener that
 * {@code port}, {@code bind_address} and per-listener options before the first {@code listener} line
 * configure.
 */
final class ListenerDraft {
    private static final ListenerConfig PLAIN = new ListenerConfig(1883, null);

    /** The {@code listener} line, or null for the default listener. */
    final ConfigLine opened;
    /** A Unix socket listener ({@code listener 0 PATH}): read for errors, then left out. */
    final boolean ignored;
    final Repeats repeats = new Repeats();
    final TlsDraft tls = new TlsDraft();
    final SecurityDraft security = new SecurityDraft();
    /** The first line that configured this listener. */
    ConfigLine firstLine;
    int port;
    String address;
    Protocol protocol = PLAIN.protocol();
    SocketDomain socketDomain = PLAIN.socketDomain();
    int maxConnections = PLAIN.maxConnections();
    String mountPoint;
    int maxQos = PLAIN.maxQos();
    int maxTopicAlias = PLAIN.maxTopicAlias();
    HttpConfig http = HttpConfig.DEFAULTS;

    private ListenerDraft(ConfigLine opened, int port, String address, boolean ignored) {
        this.opened = opened;
        this.firstLine = opened;
        this.port = port;
        this.address = address;
        this.ignored = ignored;
    }

    static ListenerDraft defaultListener() {
        return new ListenerDraft(null, PLAIN.port(), null, false);
    }

    static ListenerDraft opened(ConfigLine line, int port, String address, boolean ignored) {
        return new ListenerDraft(line, port, address, ignored);
    }

    /** Notes a line that configures this listener. */
    void touch(ConfigLine line) {
        if (firstLine == null) {
            firstLine = line;
        }
    }

    /** {@code listener 8883}, {@code listener 8883 127.0.0.1}, or {@code the default listener (port 1883)}. */
    String describe() {
        if (opened == null) {
            return "the default listener (port " + port + ")";
        }
        return "listener " + port + (address == null ? "" : " " + address);
    }

    /**
     * @param perListenerSettings whether this listener carries its own security options
     */
    ListenerConfig build(boolean perListenerSettings, ReadContext context) throws ConfigException {
        return new ListenerConfig(port, address, protocol, socketDomain, maxConnections, mountPoint, maxQos,
                maxTopicAlias, tls.build(describe(), context), perListenerSettings ? security.build() : null, http);
    }

    /**
     * Whether the default listener is wanted: mosquitto opens it when {@code port} or
     * {@code bind_address} is given, or when any per-listener option differs from its default.
     */
    boolean wantedAsDefault(boolean named, ListenerConfig built) {
        return named || !built.equals(new ListenerConfig(port, address, PLAIN.protocol(), PLAIN.socketDomain(),
                PLAIN.maxConnections(), null, PLAIN.maxQos(), PLAIN.maxTopicAlias(), PLAIN.tls(), built.security(),
                HttpConfig.DEFAULTS));
    }
}
