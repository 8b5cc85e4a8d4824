package io.starling.mqtt.tools.client;

import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.Will;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * How a {@link MqttClient} connects: where, with which CONNECT, and over which transport. Immutable;
 * made with {@link #builder()}.
 *
 * <ul>
 *   <li>{@code tls} null is plain TCP; otherwise the handshake uses it, and {@code verifyHostname} (true
 *       unless turned off, mosquitto's {@code --insecure}) checks the server certificate names {@code host}.
 *   <li>{@code webSocketPath} null is MQTT straight on the stream; a path ("/mqtt") is MQTT over WebSocket
 *       with the subprotocol "mqtt" ("mqttv3.1" for 3.1).
 *   <li>{@code group} null is a shared default loop group (epoll where it loads, NIO elsewhere).
 *   <li>{@code maxInflight} bounds the QoS 1 and 2 publishes awaiting their acknowledgement, together with
 *       the server's Receive Maximum; further publishes wait in the client, in order.
 * </ul>
 */
public final class ClientOptions {
    private final String host;
    private final int port;
    private final String clientId;
    private final MqttVersion version;
    private final boolean cleanStart;
    private final int keepAliveSeconds;
    private final String username;
    private final byte[] password;
    private final Will will;
    private final Properties connectProperties;
    private final SslContext tls;
    private final boolean verifyHostname;
    private final String webSocketPath;
    private final InetAddress sourceAddress;
    private final EventLoopGroup group;
    private final Duration connectTimeout;
    private final boolean tcpNoDelay;
    private final int maxInflight;
    private final PacketTrace trace;

    private ClientOptions(Builder b) {
        this.host = Objects.requireNonNull(b.host, "host");
        if (b.port < 1 || b.port > 65535) {
            throw new IllegalArgumentException("port out of range: " + b.port);
        }
        this.port = b.port;
        this.clientId = Objects.requireNonNull(b.clientId, "clientId");
        this.version = Objects.requireNonNull(b.version, "version");
        this.cleanStart = b.cleanStart;
        if (b.keepAliveSeconds < 0 || b.keepAliveSeconds > 0xFFFF) {
            throw new IllegalArgumentException("keepAliveSeconds out of range: " + b.keepAliveSeconds);
        }
        this.keepAliveSeconds = b.keepAliveSeconds;
        this.username = b.username;
        this.password = b.password == null ? null : b.password.clone();
        this.will = b.will;
        this.connectProperties = Objects.requireNonNull(b.connectProperties, "connectProperties");
        this.tls = b.tls;
        this.verifyHostname = b.verifyHostname;
        this.webSocketPath = b.webSocketPath;
        if (webSocketPath != null && !webSocketPath.startsWith("/")) {
            throw new IllegalArgumentException("webSocketPath must start with '/': " + webSocketPath);
        }
        this.sourceAddress = b.sourceAddress;
        this.group = b.group;
        this.connectTimeout = Objects.requireNonNull(b.connectTimeout, "connectTimeout");
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout must be positive: " + connectTimeout);
        }
        this.tcpNoDelay = b.tcpNoDelay;
        if (b.maxInflight < 1 || b.maxInflight > 0xFFFF) {
            throw new IllegalArgumentException("maxInflight out of range 1..65535: " + b.maxInflight);
        }
        this.maxInflight = b.maxInflight;
        this.trace = b.trace;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options, to derive others from them. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.host = host;
        b.port = port;
        b.clientId = clientId;
        b.version = version;
        b.cleanStart = cleanStart;
        b.keepAliveSeconds = keepAliveSeconds;
        b.username = username;
        b.password = password;
        b.will = will;
        b.connectProperties = connectProperties;
        b.tls = tls;
        b.verifyHostname = verifyHostname;
        b.webSocketPath = webSocketPath;
        b.sourceAddress = sourceAddress;
        b.group = group;
        b.connectTimeout = connectTimeout;
        b.tcpNoDelay = tcpNoDelay;
        b.maxInflight = maxInflight;
        b.trace = trace;
        return b;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String clientId() {
        return clientId;
    }

    public MqttVersion version() {
        return version;
    }

    public boolean cleanStart() {
        return cleanStart;
    }

    public int keepAliveSeconds() {
        return keepAliveSeconds;
    }

    public String username() {
        return username;
    }

    public byte[] password() {
        return password == null ? null : password.clone();
    }

    public Will will() {
        return will;
    }

    public Properties connectProperties() {
        return connectProperties;
    }

    public SslContext tls() {
        return tls;
    }

    public boolean verifyHostname() {
        return verifyHostname;
    }

    public String webSocketPath() {
        return webSocketPath;
    }

    public InetAddress sourceAddress() {
        return sourceAddress;
    }

    public EventLoopGroup group() {
        return group;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public boolean tcpNoDelay() {
        return tcpNoDelay;
    }

    public int maxInflight() {
        return maxInflight;
    }

    public PacketTrace trace() {
        return trace;
    }

    @Override
    public String toString() {
        return "ClientOptions[" + host + ":" + port + ", clientId=" + clientId + ", " + version + ", cleanStart="
                + cleanStart + ", keepAlive=" + keepAliveSeconds + ", username=" + username + ", password="
                + (password == null ? "none" : "***") + ", tls=" + (tls != null) + ", webSocketPath=" + webSocketPath
                + "]";
    }

    /** Defaults: localhost:1883, empty client id, 3.1.1, clean start, keep alive 60 s, 30 s to connect. */
    public static final class Builder {
        private String host = "localhost";
        private int port = 1883;
        private String clientId = "";
        private MqttVersion version = MqttVersion.MQTT_3_1_1;
        private boolean cleanStart = true;
        private int keepAliveSeconds = 60;
        private String username;
        private byte[] password;
        private Will will;
        private Properties connectProperties = Properties.EMPTY;
        private SslContext tls;
        private boolean verifyHostname = true;
        private String webSocketPath;
        private InetAddress sourceAddress;
        private EventLoopGroup group;
        private Duration connectTimeout = Duration.ofSeconds(30);
        private boolean tcpNoDelay;
        private int maxInflight = 0xFFFF;
        private PacketTrace trace;

        private Builder() {
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder clientId(String clientId) {
            this.clientId = clientId;
            return this;
        }

        public Builder version(MqttVersion version) {
            this.version = version;
            return this;
        }

        public Builder cleanStart(boolean cleanStart) {
            this.cleanStart = cleanStart;
            return this;
        }

        public Builder keepAliveSeconds(int keepAliveSeconds) {
            this.keepAliveSeconds = keepAliveSeconds;
            return this;
        }

        public Builder username(String username) {
            this.username = username;
            return this;
        }

        public Builder password(byte[] password) {
            this.password = password == null ? null : Arrays.copyOf(password, password.length);
            return this;
        }

        public Builder will(Will will) {
            this.will = will;
            return this;
        }

        public Builder connectProperties(Properties connectProperties) {
            this.connectProperties = connectProperties;
            return this;
        }

        public Builder tls(SslContext tls) {
            this.tls = tls;
            return this;
        }

        public Builder verifyHostname(boolean verifyHostname) {
            this.verifyHostname = verifyHostname;
            return this;
        }

        public Builder webSocketPath(String webSocketPath) {
            this.webSocketPath = webSocketPath;
            return this;
        }

        public Builder sourceAddress(InetAddress sourceAddress) {
            this.sourceAddress = sourceAddress;
            return this;
        }

        public Builder group(EventLoopGroup group) {
            this.group = group;
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        public Builder tcpNoDelay(boolean tcpNoDelay) {
            this.tcpNoDelay = tcpNoDelay;
            return this;
        }

        public Builder maxInflight(int maxInflight) {
            this.maxInflight = maxInflight;
            return this;
        }

        public Builder trace(PacketTrace trace) {
            this.trace = trace;
            return this;
        }

        public ClientOptions build() {
            return new ClientOptions(this);
        }
    }
}
