package io.starling.broker.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.starling.mqtt.codec.MqttEncoder;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Consecutive deliveries of one QoS 0 message share one encoded header; anything else is encoded afresh. */
class PublishHeadersTest {
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    private final List<ByteBuf> toRelease = new ArrayList<>();

    @AfterEach
    void release() {
        toRelease.forEach(ByteBuf::release);
    }

    private Publish publish(QoS qos, boolean retain, String topic, int payloadLength) {
        ByteBuf payload = ALLOC.buffer(payloadLength).writeZero(payloadLength);
        toRelease.add(payload);
        return new Publish(false, qos, retain, topic, qos == QoS.AT_MOST_ONCE ? 0 : 1, Properties.EMPTY, payload);
    }

    private ByteBuf header(Publish p, MqttVersion v) {
        ByteBuf h = PublishHeaders.of(ALLOC, p, v);
        toRelease.add(h);
        assertThat(ByteBufUtil.hexDump(h)).as("the bytes the encoder writes")
                .isEqualTo(hexOfEncoderHeader(p, v));
        return h;
    }

    private static String hexOfEncoderHeader(Publish p, MqttVersion v) {
        ByteBuf h = MqttEncoder.encodePublishHeader(ALLOC, p, v);
        try {
            return ByteBufUtil.hexDump(h);
        } finally {
            h.release();
        }
    }

    /** Whether both read the same bytes in memory (duplicates of one buffer), not equal copies. */
    private static boolean sameMemory(ByteBuf a, ByteBuf b) {
        if (a.hasMemoryAddress() && b.hasMemoryAddress()) {
            return a.memoryAddress() + a.readerIndex() == b.memoryAddress() + b.readerIndex();
        }
        return a.hasArray() && b.hasArray() && a.array() == b.array()
                && a.arrayOffset() + a.readerIndex() == b.arrayOffset() + b.readerIndex();
    }

    @Test
    void sameQos0Message_toSeveralSubscribers_sharesOneHeader() {
        Publish p = publish(QoS.AT_MOST_ONCE, false, "sensors/1/t", 64);
        ByteBuf first = header(p, MqttVersion.MQTT_3_1_1);
        ByteBuf second = header(p, MqttVersion.MQTT_3_1_1);
        assertThat(sameMemory(first, second)).isTrue();
    }

    @Test
    void otherTopic_retainFlag_length_orVersion_getsItsOwnHeader() {
        String topic = "a/b";
        ByteBuf base = header(publish(QoS.AT_MOST_ONCE, false, topic, 10), MqttVersion.MQTT_3_1_1);
        ByteBuf retained = header(publish(QoS.AT_MOST_ONCE, true, topic, 10), MqttVersion.MQTT_3_1_1);
        ByteBuf longer = header(publish(QoS.AT_MOST_ONCE, true, topic, 11), MqttVersion.MQTT_3_1_1);
        ByteBuf v5 = header(publish(QoS.AT_MOST_ONCE, true, topic, 11), MqttVersion.MQTT_5);
        ByteBuf otherTopic = header(publish(QoS.AT_MOST_ONCE, true, "a/c", 11), MqttVersion.MQTT_5);
        assertThat(sameMemory(base, retained)).isFalse();
        assertThat(sameMemory(retained, longer)).isFalse();
        assertThat(sameMemory(longer, v5)).isFalse();
        assertThat(sameMemory(v5, otherTopic)).isFalse();
    }

    @Test
    void qos1_isEncodedPerDelivery_forItsPacketIdentifier() {
        Publish p = publish(QoS.AT_LEAST_ONCE, false, "q/1", 8);
        ByteBuf first = header(p, MqttVersion.MQTT_3_1_1);
        ByteBuf second = header(p, MqttVersion.MQTT_3_1_1);
        assertThat(first).isNotSameAs(second);
        assertThat(sameMemory(first, second)).isFalse();
    }

    @Test
    void withPayloadCopy_isTheWholePacket_andLeavesTheSharedHeaderForTheNextDelivery() {
        for (QoS qos : QoS.values()) {
            Publish p = publish(qos, false, "sensors/1/t", 64);
            p.payload().setByte(63, 0x5A);
            for (int delivery = 0; delivery < 3; delivery++) {
                ByteBuf whole = PublishHeaders.withPayloadCopy(ALLOC, p, MqttVersion.MQTT_3_1_1);
                toRelease.add(whole);
                assertThat(ByteBufUtil.hexDump(whole)).as("%s, delivery %d", qos, delivery)
                        .isEqualTo(hexOfEncoderHeader(p, MqttVersion.MQTT_3_1_1) + ByteBufUtil.hexDump(p.payload()));
            }
            assertThat(p.payload().refCnt()).isEqualTo(1);
        }
        Publish p = publish(QoS.AT_MOST_ONCE, false, "sensors/2/t", 64);
        toRelease.add(PublishHeaders.withPayloadCopy(ALLOC, p, MqttVersion.MQTT_3_1_1));
        ByteBuf first = header(p, MqttVersion.MQTT_3_1_1);
        ByteBuf second = header(p, MqttVersion.MQTT_3_1_1);
        assertThat(sameMemory(first, second)).as("the copy left the shared header readable and alive").isTrue();
    }

    @Test
    void firstCopiedDelivery_isEncodedOnce_andLendsItsHeaderToTheNextDeliveries() {
        Publish p = publish(QoS.AT_MOST_ONCE, false, "sensors/3/t", 64);
        ByteBuf first = PublishHeaders.withPayloadCopy(ALLOC, p, MqttVersion.MQTT_5);
        toRelease.add(first);
        ByteBuf header = header(p, MqttVersion.MQTT_5);
        assertThat(sameMemory(first, header)).as("the header kept is the start of the first delivery's buffer").isTrue();
        first.release();
        toRelease.remove(first);
        ByteBuf second = PublishHeaders.withPayloadCopy(ALLOC, p, MqttVersion.MQTT_5);
        toRelease.add(second);
        assertThat(ByteBufUtil.hexDump(second)).as("still readable once the first delivery was written and freed")
                .isEqualTo(hexOfEncoderHeader(p, MqttVersion.MQTT_5) + ByteBufUtil.hexDump(p.payload()));
    }
}
