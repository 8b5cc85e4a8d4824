package io.starling.mqtt.codec;

/** One MQTT control packet. Every type has its own record; only {@link Publish} holds a buffer. */
public sealed interface Packet extends DecodeResult
        permits Connect, ConnAck, Publish, PubAck, PubRec, PubRel, PubComp, Subscribe, SubAck,
        Unsubscribe, UnsubAck, PingReq, PingResp, Disconnect, Auth {

    PacketType type();
}
