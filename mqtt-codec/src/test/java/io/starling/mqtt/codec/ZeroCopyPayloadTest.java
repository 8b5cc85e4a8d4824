package io.starling.mqtt.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The payload path of DESIGN.md: a decoded PUBLISH payload is a slice of the read buffer, and an
 * encoded PUBLISH carries the payload by duplicate. Neither copies a byte; both own a reference.
 */
@ExtendWith(LeakCheck.class)
class ZeroCopyPayloadTest {
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    /** PUBLISH QoS 0, topic "a/b", payload "hello". */
    private static final String PUBLISH_HELLO = "30 0A 0003 612F62 68656C6C6F";

    @Test
    void decodedPayload_sharesTheHeapReadBuffersArray() {
        ByteBuf in = Unpooled.buffer(32).writeBytes(Bytes.array(hexUnpooled(PUBLISH_HELLO)));
        Publish publish = decode(in);
        try {
            assertThat(publish.payload().hasArray()).isTrue();
            assertThat(publish.payload().array()).isSameAs(in.array());
            assertThat(publish.payload().arrayOffset() + publish.payload().readerIndex()).isEqualTo(7);
        } finally {
            publish.release();
            in.release();
        }
    }

    @Test
    void decodedPayload_sharesThePooledDirectReadBuffersMemory() {
        ByteBuf in = ALLOC.directBuffer(32).writeBytes(Bytes.array(hexUnpooled(PUBLISH_HELLO)));
        Publish publish = decode(in);
        try {
            if (in.hasMemoryAddress()) {
                assertThat(publish.payload().memoryAddress()).isEqualTo(in.memoryAddress() + 7);
            }
            in.setByte(7, 'J');
            assertThat(publish.payload().toString(StandardCharsets.US_ASCII)).isEqualTo("Jello");
        } finally {
            publish.release();
            in.release();
        }
    }

    @Test
    void decodedPayload_holdsItsOwnReference_soTheReadBufferMayBeReleasedFirst() {
        ByteBuf in = Bytes.hex(PUBLISH_HELLO);
        Publish publish = decode(in);
        assertThat(in.release()).as("read buffer freed while the payload still refers to it").isFalse();
        assertThat(publish.payload().refCnt()).isPositive();
        assertThat(publish.payload().toString(StandardCharsets.US_ASCII)).isEqualTo("hello");
        publish.release();
        assertThat(in.refCnt()).isZero();
    }

    @Test
    void encodedPublish_carriesThePayloadByDuplicate_notByCopy() {
        ByteBuf payload = ALLOC.directBuffer(16).writeBytes("hello".getBytes(StandardCharsets.US_ASCII));
        Publish publish = new Publish(false, QoS.AT_LEAST_ONCE, false, "a/b", 7, Properties.EMPTY, payload);
        try {
            ByteBuf encoded = MqttEncoder.encode(ALLOC, publish, MqttVersion.MQTT_3_1_1);
            try {
                assertThat(encoded).isInstanceOf(CompositeByteBuf.class);
                assertThat(payload.refCnt()).as("the encoded packet owns one more reference").isEqualTo(2);
                payload.setByte(0, 'J');
                assertThat(Bytes.hexOf(encoded)).isEqualTo("320C0003612F6200074A656C6C6F");
                assertThat(payload.readerIndex()).as("the caller's indexes are untouched").isZero();
            } finally {
                encoded.release();
            }
            assertThat(payload.refCnt()).as("releasing the packet gives back its reference only").isEqualTo(1);
        } finally {
            publish.release();
        }
        assertThat(payload.refCnt()).isZero();
    }

    @Test
    void oneDecodedPayload_canBeEncodedForManySubscribersWithoutCopies() {
        ByteBuf in = Bytes.hex(PUBLISH_HELLO);
        Publish publish = decode(in);
        in.release();
        ByteBuf[] deliveries = new ByteBuf[3];
        for (int i = 0; i < deliveries.length; i++) {
            Publish delivery = new Publish(false, QoS.AT_LEAST_ONCE, false, "a/b", i + 1, Properties.EMPTY,
                    publish.payload());
            deliveries[i] = MqttEncoder.encode(ALLOC, delivery, MqttVersion.MQTT_5);
        }
        assertThat(publish.payload().refCnt()).isEqualTo(4);
        for (ByteBuf delivery : deliveries) {
            assertThat(Bytes.hexOf(delivery)).endsWith("68656C6C6F");
            delivery.release();
        }
        publish.release();
        assertThat(publish.payload().refCnt()).isZero();
    }

    @Test
    void emptyPayload_pinsNoReadBuffer() {
        ByteBuf in = Bytes.hex("30 05 0003 612F62");
        Publish publish = decode(in);
        assertThat(publish.payload().readableBytes()).isZero();
        assertThat(in.refCnt()).as("the read buffer is not retained for nothing").isEqualTo(1);
        publish.release();
        in.release();
    }

    @Test
    void publishHeader_thenThePayload_areTheBytesOfTheWholePacket_forEveryVersionAndQos() {
        for (MqttVersion v : MqttVersion.values()) {
            for (QoS qos : QoS.values()) {
                ByteBuf payload = ALLOC.directBuffer(300).writeZero(300); // a two-byte remaining length
                Publish p = new Publish(false, qos, true, "a/b", qos == QoS.AT_MOST_ONCE ? 0 : 7,
                        v.isV5() ? Properties.builder().number(PropertyId.MESSAGE_EXPIRY_INTERVAL, 9).build() : Properties.EMPTY, payload);
                ByteBuf whole = MqttEncoder.encode(ALLOC, p, v);
                ByteBuf header = MqttEncoder.encodePublishHeader(ALLOC, p, v);
                try {
                    ByteBuf joined = Unpooled.wrappedBuffer(header.retainedDuplicate(), payload.retainedDuplicate());
                    assertThat(Bytes.hexOf(joined)).as("%s %s", v, qos).isEqualTo(Bytes.hexOf(whole));
                    joined.release();
                    assertThat(header.readableBytes()).isEqualTo(whole.readableBytes() - 300);
                } finally {
                    whole.release();
                    header.release();
                    payload.release();
                }
            }
        }
    }

    @Test
    void publishWithPayloadCopy_isTheBytesOfTheWholePacket_inOneBufferOfItsOwn_forEveryVersionAndQos() {
        for (MqttVersion v : MqttVersion.values()) {
            for (QoS qos : QoS.values()) {
                ByteBuf payload = ALLOC.directBuffer(300).writeZero(290).writeBytes(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
                Publish p = new Publish(false, qos, false, "a/b", qos == QoS.AT_MOST_ONCE ? 0 : 7,
                        v.isV5() ? Properties.builder().number(PropertyId.MESSAGE_EXPIRY_INTERVAL, 9).build() : Properties.EMPTY, payload);
                ByteBuf copy = MqttEncoder.encodePublishCopy(ALLOC, p, v);
                assertThat(payload.refCnt()).as("the payload is copied, not retained").isEqualTo(1);
                assertThat(payload.readerIndex()).as("nor read").isZero();
                ByteBuf whole = MqttEncoder.encode(ALLOC, p, v);
                try {
                    assertThat(Bytes.hexOf(copy)).as("%s %s", v, qos).isEqualTo(Bytes.hexOf(whole));
                    assertThat(copy.capacity()).as("sized for the whole packet, not grown").isEqualTo(copy.readableBytes());
                } finally {
                    whole.release();
                    copy.release();
                    payload.release();
                }
            }
        }
    }

    private static Publish decode(ByteBuf in) {
        MqttDecoder decoder = new MqttDecoder(1 << 20);
        DecodeResult result = decoder.decode(in);
        assertThat(result).isInstanceOf(Publish.class);
        return (Publish) result;
    }

    private static ByteBuf hexUnpooled(String hex) {
        return Unpooled.wrappedBuffer(io.netty.buffer.ByteBufUtil.decodeHexDump(hex.replace(" ", "")));
    }
}
