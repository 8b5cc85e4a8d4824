package io.starling.mqtt.codec;

/** PINGRESP: no content, so one shared instance. */
public record PingResp() implements Packet {
    public static final PingResp INSTANCE = new PingResp();

    @Override
    public PacketType type() {
        return PacketType.PINGRESP;
    }
}
