package io.starling.mqtt.codec;

/**
 * What {@link MqttDecoder#decode} yields: a whole {@link Packet}, a {@link Malformed} verdict, or
 * {@link NeedMoreData} when the buffer does not yet hold a whole packet.
 */
public sealed interface DecodeResult permits Packet, Malformed, NeedMoreData {
}
