package io.starling.mqtt.codec;

/** Packet identifier rules (§2.3.1): a non-zero unsigned 16-bit integer. */
public final class PacketIds {
    private PacketIds() {
    }

    public static final int MAX = 0xFFFF;

    static void check(int packetId) {
        if (packetId < 1 || packetId > MAX) {
            throw new IllegalArgumentException("packet identifier out of range: " + packetId);
        }
    }
}
