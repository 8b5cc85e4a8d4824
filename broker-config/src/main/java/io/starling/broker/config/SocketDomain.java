package io.starling.broker.config;

/** Which IP versions a listener opens sockets for ({@code socket_domain}). */
public enum SocketDomain {
    /** Both IPv4 and IPv6, the default when {@code socket_domain} is not given. */
    ANY(null),
    IPV4("ipv4"),
    IPV6("ipv6");

    private final String configName;

    SocketDomain(String configName) {
        this.configName = configName;
    }

    /** The spelling in mosquitto.conf, or null for {@link #ANY}, which has none. */
    public String configName() {
        return configName;
    }
}
