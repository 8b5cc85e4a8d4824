package io.starling.broker.config;

/**
 * One {@code listener PORT [ADDRESS]} block.
 *
 * @param address the address to bind, or null for all addresses
 */
public record ListenerConfig(int port, String address) {
    public ListenerConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }
}
