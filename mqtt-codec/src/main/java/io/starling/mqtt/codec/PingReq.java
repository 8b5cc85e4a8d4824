package io.starling.mqtt.codec;

/** PINGREQ: no content, so one shared instance. */
public record PingReq() implements Packet {
    public static final PingReq INSTANCE = new PingReq();

    @Override
    public PacketType type() {
        return PacketType.PINGREQ;
    }
}
