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
 * @param bridge     the protocol level had its top bit set ({@link #BRIDGE_LEVEL_BIT}): the client is a bridge
 *                   (mosquitto's {@code try_private}), whose subscriptions are No Local and Retain As Published
 */
public record Connect(MqttVersion version, String clientId, boolean cleanStart, int keepAlive,
                      String username, byte[] password, Will will, Properties properties, boolean bridge)
        implements Packet {
    /** Set in the protocol level by a bridge (0x83 for 3.1, 0x84 for 3.1.1), as mosquitto's bridges do. */
    public static final int BRIDGE_LEVEL_BIT = 0x80;

    /** A CONNECT of an ordinary client. */
    public Connect(MqttVersion version, String clientId, boolean cleanStart, int keepAlive, String username,
                   byte[] password, Will will, Properties properties) {
        this(version, clientId, cleanStart, keepAlive, username, password, will, properties, false);
    }

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
                && c.properties.equals(properties) && c.bridge == bridge;
    }

    @Override
    public int hashCode() {
        return Objects.hash(version, clientId, cleanStart, keepAlive, username, Arrays.hashCode(password), will);
    }

    @Override
    public String toString() {
        return "Connect[" + version + ", clientId=" + clientId + ", cleanStart=" + cleanStart + ", keepAlive="
                + keepAlive + ", username=" + username + ", password=" + (password == null ? "none" : "***")
                + ", will=" + will + ", properties=" + properties + (bridge ? ", bridge" : "") + "]";
    }
}
