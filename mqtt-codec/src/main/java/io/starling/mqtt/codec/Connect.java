package io.starling.mqtt.codec;

import java.util.Arrays;
import java.util.Objects;

/**
 * CONNECT (3.1.1 §3.1, 5.0 §3.1).
 *
 * @param cleanStart the Clean Session flag in 3.1/3.1.1, Clean Start in 5.0
 * @param username   null when the flag is clear
 * @param password   null when the flag is clear
 * @param will       null when the client has no will
 */
public record Connect(MqttVersion version, String clientId, boolean cleanStart, int keepAlive,
                      String username, byte[] password, Will will, Properties properties) implements Packet {
    public Connect {
        Objects.requireNonNull(version);
        Objects.requireNonNull(clientId);
        Objects.requireNonNull(properties);
        if (keepAlive < 0 || keepAlive > 0xFFFF) {
            throw new IllegalArgumentException("keepAlive out of range: " + keepAlive);
        }
    }

    @Override
    public PacketType type() {
        return PacketType.CONNECT;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Connect c && c.version == version && c.clientId.equals(clientId)
                && c.cleanStart == cleanStart && c.keepAlive == keepAlive && Objects.equals(c.username, username)
                && Arrays.equals(c.password, password) && Objects.equals(c.will, will)
                && c.properties.equals(properties);
    }

    @Override
    public int hashCode() {
        return Objects.hash(version, clientId, cleanStart, keepAlive, username, Arrays.hashCode(password), will);
    }

    @Override
    public String toString() {
        return "Connect[" + version + ", clientId=" + clientId + ", cleanStart=" + cleanStart + ", keepAlive="
                + keepAlive + ", username=" + username + ", password=" + (password == null ? "none" : "***")
                + ", will=" + will + ", properties=" + properties + "]";
    }
}
