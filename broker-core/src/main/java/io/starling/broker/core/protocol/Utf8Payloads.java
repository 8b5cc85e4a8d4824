package io.starling.broker.core.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;

/** Checks a payload that says it is UTF-8 (MQTT 5 Payload Format Indicator 1), in place. */
final class Utf8Payloads {
    private Utf8Payloads() {
    }

    static boolean isValid(ByteBuf payload) {
        return ByteBufUtil.isText(payload, StandardCharsets.UTF_8);
    }
}
