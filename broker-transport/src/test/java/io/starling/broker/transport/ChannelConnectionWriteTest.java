package io.starling.broker.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.starling.mqtt.codec.MqttEncoder;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How a delivery leaves: small payloads copied into one buffer, larger ones shared after their own header. */
class ChannelConnectionWriteTest {
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final ChannelConnection connection = ChannelConnection.standalone(channel, CertificateUsername.NONE);
    private final List<ByteBuf> toRelease = new ArrayList<>();

    @AfterEach
    void release() {
        ByteBuf left;
        while ((left = channel.readOutbound()) != null) {
            left.release();
        }
        channel.finishAndReleaseAll();
        toRelease.forEach(ByteBuf::release);
    }

    private Publish publish(QoS qos, int payloadLength) {
        ByteBuf payload = PooledByteBufAllocator.DEFAULT.directBuffer(payloadLength);
        for (int i = 0; i < payloadLength; i++) {
            payload.writeByte(i);
        }
        toRelease.add(payload);
        return new Publish(false, qos, false, "sensors/7/t", qos == QoS.AT_MOST_ONCE ? 0 : 3, Properties.EMPTY, payload);
    }

    private List<ByteBuf> written() {
        channel.flush();
        List<ByteBuf> out = new ArrayList<>();
        ByteBuf b;
        while ((b = channel.readOutbound()) != null) {
            out.add(b);
            toRelease.add(b);
        }
        return out;
    }

    private static String encoded(Publish p) {
        ByteBuf whole = MqttEncoder.encode(PooledByteBufAllocator.DEFAULT, p, MqttVersion.MQTT_3_1_1);
        try {
            return ByteBufUtil.hexDump(whole);
        } finally {
            whole.release();
        }
    }

    @Test
    void smallPayload_leavesAsOneBufferHoldingACopy_atEveryQos() {
        for (QoS qos : QoS.values()) {
            Publish p = publish(qos, ChannelConnection.COPIED_PAYLOAD);
            connection.write(p);
            List<ByteBuf> out = written();
            assertThat(out).as("%s", qos).hasSize(1);
            assertThat(ByteBufUtil.hexDump(out.get(0))).isEqualTo(encoded(p));
            assertThat(p.payload().refCnt()).as("the payload is not held by the write").isEqualTo(1);
        }
    }

    @Test
    void largerPayload_leavesAsHeaderThenTheSharedPayload() {
        Publish p = publish(QoS.AT_MOST_ONCE, ChannelConnection.COPIED_PAYLOAD + 1);
        connection.write(p);
        List<ByteBuf> out = written();
        assertThat(out).hasSize(2);
        assertThat(ByteBufUtil.hexDump(out.get(0)) + ByteBufUtil.hexDump(out.get(1))).isEqualTo(encoded(p));
        assertThat(out.get(1).memoryAddress() + out.get(1).readerIndex())
                .as("the payload is shared, not copied")
                .isEqualTo(p.payload().memoryAddress() + p.payload().readerIndex());
    }
}
