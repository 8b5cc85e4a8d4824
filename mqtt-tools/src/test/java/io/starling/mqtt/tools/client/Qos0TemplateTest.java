package io.starling.mqtt.tools.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.starling.mqtt.codec.MqttEncoder;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class Qos0TemplateTest {
    @ParameterizedTest
    @EnumSource(MqttVersion.class)
    void templateWithPayload_isByteForByteWhatTheEncoderWrites(MqttVersion version) {
        byte[] payload = new byte[200]; // remaining length takes two bytes
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) i;
        }
        Qos0Template template = new Qos0Template("bench/7", payload.length, true, Properties.EMPTY, version);
        ByteBuf fromTemplate = Unpooled.buffer();
        template.writeHeader(fromTemplate);
        fromTemplate.writeBytes(payload);
        ByteBuf fromEncoder = MqttEncoder.encode(UnpooledByteBufAllocator.DEFAULT,
                new Publish(false, QoS.AT_MOST_ONCE, true, "bench/7", 0, Properties.EMPTY, Unpooled.wrappedBuffer(payload)),
                version);

        assertThat(ByteBufUtil.hexDump(fromTemplate)).isEqualTo(ByteBufUtil.hexDump(fromEncoder));
        assertThat(template.packetLength()).isEqualTo(fromEncoder.readableBytes());
        fromEncoder.release();
    }

    @Test
    void emptyPayload_isJustTheHeader() {
        Qos0Template template = new Qos0Template("t", 0, false, Properties.EMPTY, MqttVersion.MQTT_3_1_1);
        assertThat(template.packetLength()).isEqualTo(5); // 0x30 0x03 0x00 0x01 't'
    }
}
