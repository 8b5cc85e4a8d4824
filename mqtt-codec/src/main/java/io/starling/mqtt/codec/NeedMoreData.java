package io.starling.mqtt.codec;

/** The buffer holds only part of a packet; call again when more bytes have arrived. */
public enum NeedMoreData implements DecodeResult {
    INSTANCE
}
