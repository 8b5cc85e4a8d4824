package io.starling.mqtt.codec;

import static io.starling.mqtt.codec.MqttVersion.MQTT_3_1;
import static io.starling.mqtt.codec.MqttVersion.MQTT_3_1_1;
import static io.starling.mqtt.codec.MqttVersion.MQTT_5;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Exact bytes for each version, including the short 5.0 forms mosquitto sends (a 2-byte PUBACK when
 * the reason is success and there are no properties, a DISCONNECT with remaining length 0), and the
 * content the encoder refuses before allocating anything.
 */
@ExtendWith(LeakCheck.class)
class MqttEncoderTest {
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    private static final Properties REASON_X = Properties.builder().text(PropertyId.REASON_STRING, "x").build();
    private static final SubscriptionOptions ALL_OPTIONS = new SubscriptionOptions(QoS.AT_LEAST_ONCE, true, true, 2);

    static Stream<Arguments> table() {
        return Stream.of(
                row("3.1 CONNECT is MQIsdp level 3", MQTT_3_1,
                        () -> new Connect(MQTT_3_1, "c", true, 60, null, null, null, REASON_X),
                        "10 0F 0006 4D5149736470 03 02 003C 0001 63"),
                row("3.1.1 CONNECT is MQTT level 4, without properties", MQTT_3_1_1,
                        () -> new Connect(MQTT_3_1_1, "c", true, 60, null, null, null, REASON_X),
                        "10 0D 0004 4D515454 04 02 003C 0001 63"),
                row("5.0 CONNECT is MQTT level 5 with a property length", MQTT_5,
                        () -> new Connect(MQTT_5, "c", true, 60, null, null, null, Properties.EMPTY),
                        "10 0E 0004 4D515454 05 02 003C 00 0001 63"),
                row("3.1.1 CONNECT with will, user name and password", MQTT_3_1_1,
                        () -> new Connect(MQTT_3_1_1, "c", false, 0, "u", bytes("pw"),
                                new Will("w", bytes("by"), QoS.EXACTLY_ONCE, false, Properties.EMPTY), Properties.EMPTY),
                        "10 1B 0004 4D515454 04 D4 0000 0001 63 0001 77 0002 6279 0001 75 0002 7077"),
                row("3.1.1 CONNACK is session present and return code", MQTT_3_1_1,
                        () -> new ConnAck(true, 0, REASON_X), "20 02 01 00"),
                row("3.1 CONNACK has no session present flag", MQTT_3_1,
                        () -> new ConnAck(true, 5, Properties.EMPTY), "20 02 00 05"),
                row("5.0 CONNACK always has a property length", MQTT_5,
                        () -> new ConnAck(false, 0x87, Properties.EMPTY), "20 03 00 87 00"),
                row("3.1.1 PUBACK is 2 bytes whatever the reason", MQTT_3_1_1,
                        () -> new PubAck(1, 0x10, REASON_X), "40 02 0001"),
                row("5.0 PUBACK success without properties is 2 bytes", MQTT_5, () -> new PubAck(1), "40 02 0001"),
                row("5.0 PUBACK with a reason and no properties is 3 bytes", MQTT_5,
                        () -> new PubAck(1, 0x10, Properties.EMPTY), "40 03 0001 10"),
                row("5.0 PUBACK with properties", MQTT_5,
                        () -> new PubAck(1, 0x10, REASON_X), "40 08 0001 10 04 1F000178"),
                row("5.0 PUBACK success with properties keeps the reason byte", MQTT_5,
                        () -> new PubAck(1, 0, REASON_X), "40 08 0001 00 04 1F000178"),
                row("5.0 PUBREC", MQTT_5, () -> new PubRec(2, 0x80, Properties.EMPTY), "50 03 0002 80"),
                row("PUBREL has flags 0010", MQTT_3_1_1, () -> new PubRel(3), "62 02 0003"),
                row("5.0 PUBCOMP", MQTT_5, () -> new PubComp(4), "70 02 0004"),
                row("3.1.1 SUBSCRIBE sends only the QoS of its options", MQTT_3_1_1,
                        () -> new Subscribe(1, List.of(new Subscription("a", ALL_OPTIONS)), Properties.EMPTY),
                        "82 06 0001 0001 61 01"),
                row("5.0 SUBSCRIBE sends every option", MQTT_5,
                        () -> new Subscribe(1, List.of(new Subscription("a", ALL_OPTIONS)), Properties.EMPTY),
                        "82 07 0001 00 0001 61 2D"),
                row("3.1.1 SUBACK", MQTT_3_1_1, () -> new SubAck(1, List.of(1, 0x80), Properties.EMPTY),
                        "90 04 0001 01 80"),
                row("5.0 SUBACK", MQTT_5, () -> new SubAck(1, List.of(1, 0x87), REASON_X),
                        "90 09 0001 04 1F000178 01 87"),
                row("3.1.1 UNSUBSCRIBE", MQTT_3_1_1, () -> new Unsubscribe(1, List.of("a", "b"), Properties.EMPTY),
                        "A2 08 0001 0001 61 0001 62"),
                row("3.1.1 UNSUBACK has no payload", MQTT_3_1_1,
                        () -> new UnsubAck(1, List.of(0x11), REASON_X), "B0 02 0001"),
                row("5.0 UNSUBACK", MQTT_5, () -> new UnsubAck(1, List.of(0, 0x11), Properties.EMPTY),
                        "B0 05 0001 00 00 11"),
                row("PINGREQ", MQTT_3_1_1, () -> PingReq.INSTANCE, "C0 00"),
                row("PINGRESP", MQTT_5, () -> PingResp.INSTANCE, "D0 00"),
                row("3.1.1 DISCONNECT is empty", MQTT_3_1_1, () -> new Disconnect(4, REASON_X), "E0 00"),
                row("5.0 normal DISCONNECT without properties is empty", MQTT_5, () -> Disconnect.NORMAL, "E0 00"),
                row("5.0 DISCONNECT with a reason only", MQTT_5, () -> new Disconnect(4, Properties.EMPTY), "E0 01 04"),
                row("5.0 DISCONNECT with properties", MQTT_5, () -> new Disconnect(0x8B, REASON_X),
                        "E0 06 8B 04 1F000178"),
                row("5.0 AUTH success without properties is empty", MQTT_5, () -> new Auth(0, Properties.EMPTY), "F0 00"),
                row("5.0 AUTH with a reason keeps its property length", MQTT_5,
                        () -> new Auth(0x18, Properties.EMPTY), "F0 02 18 00"),
                row("QoS 0 PUBLISH with retain", MQTT_3_1_1,
                        () -> new Publish(false, QoS.AT_MOST_ONCE, true, "a/b", 0, Properties.EMPTY, payload("hi")),
                        "31 07 0003 612F62 6869"),
                row("5.0 QoS 2 PUBLISH with DUP and properties", MQTT_5,
                        () -> new Publish(true, QoS.EXACTLY_ONCE, false, "€", 0xFFFF, Properties.builder()
                                .number(PropertyId.MESSAGE_EXPIRY_INTERVAL, 0xFFFF_FFFFL)
                                .number(PropertyId.SUBSCRIPTION_IDENTIFIER, 128).build(), payload("")),
                        "3C 10 0003 E282AC FFFF 08 02 FFFFFFFF 0B 8001"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void packet_encodesToItsBytes(String rule, MqttVersion v, Supplier<Packet> packet, String hex) {
        Packet p = packet.get();
        ByteBuf encoded = MqttEncoder.encode(ALLOC, p, v);
        try {
            assertThat(Bytes.hexOf(encoded)).isEqualTo(hex.replace(" ", ""));
            assertThat(MqttEncoder.encodedSize(p, v)).isEqualTo(encoded.readableBytes());
        } finally {
            encoded.release();
            Packets.release(p);
        }
    }

    @Test
    void largePublish_hasAMultiByteRemainingLength() {
        Publish publish = new Publish(false, QoS.AT_MOST_ONCE, false, "t", 0, Properties.EMPTY,
                Bytes.pooled(new byte[20_000]));
        ByteBuf encoded = MqttEncoder.encode(ALLOC, publish, MQTT_3_1_1);
        try {
            assertThat(Bytes.hexOf(encoded.slice(0, 4))).isEqualTo("30A39C01"); // 20,003 = 0x23 + 0x1C*128 + 1*16384
            assertThat(encoded.readableBytes()).isEqualTo(20_007).isEqualTo(MqttEncoder.encodedSize(publish, MQTT_3_1_1));
        } finally {
            encoded.release();
            publish.release();
        }
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                refuse("AUTH before 5.0", MQTT_3_1_1, () -> new Auth(0, Properties.EMPTY)),
                refuse("QoS 0 PUBLISH with DUP", MQTT_3_1_1,
                        () -> new Publish(true, QoS.AT_MOST_ONCE, false, "t", 0, Properties.EMPTY, Unpooled.EMPTY_BUFFER)),
                refuse("SUBSCRIBE without filter", MQTT_5, () -> new Subscribe(1, List.of(), Properties.EMPTY)),
                refuse("UNSUBSCRIBE without filter", MQTT_3_1_1, () -> new Unsubscribe(1, List.of(), Properties.EMPTY)),
                refuse("U+0000 in a topic", MQTT_3_1_1,
                        () -> new Unsubscribe(1, List.of("a\u0000b"), Properties.EMPTY)),
                refuse("unpaired surrogate in a client id", MQTT_3_1_1,
                        () -> new Connect(MQTT_3_1_1, "a\uD800", true, 0, null, null, null, Properties.EMPTY)),
                refuse("topic of 65,536 bytes", MQTT_3_1_1,
                        () -> new Unsubscribe(1, List.of("é".repeat(32_768)), Properties.EMPTY)),
                refuse("password without user name in 3.1.1", MQTT_3_1_1,
                        () -> new Connect(MQTT_3_1_1, "c", true, 0, null, bytes("pw"), null, Properties.EMPTY)),
                refuse("Session Expiry Interval in PUBACK", MQTT_5, () -> new PubAck(1, 0x10, Properties.builder()
                        .number(PropertyId.SESSION_EXPIRY_INTERVAL, 1).build())),
                refuse("Will Delay Interval among CONNECT properties", MQTT_5,
                        () -> new Connect(MQTT_5, "c", true, 0, null, null, null, Properties.builder()
                                .number(PropertyId.WILL_DELAY_INTERVAL, 1).build())),
                refuse("Reason String twice", MQTT_5, () -> new Disconnect(0, Properties.builder()
                        .text(PropertyId.REASON_STRING, "a").text(PropertyId.REASON_STRING, "b").build())),
                refuse("Subscription Identifier twice in SUBSCRIBE", MQTT_5,
                        () -> new Subscribe(1, List.of(new Subscription("a", ALL_OPTIONS)), Properties.builder()
                                .number(PropertyId.SUBSCRIPTION_IDENTIFIER, 1)
                                .number(PropertyId.SUBSCRIPTION_IDENTIFIER, 2).build())),
                refuse("Receive Maximum of 70,000", MQTT_5, () -> new ConnAck(false, 0, Properties.builder()
                        .number(PropertyId.RECEIVE_MAXIMUM, 70_000).build())),
                refuse("Subscription Identifier 0", MQTT_5, () -> new Subscribe(1, List.of(new Subscription("a",
                        ALL_OPTIONS)), Properties.builder().number(PropertyId.SUBSCRIPTION_IDENTIFIER, 0).build())),
                refuse("a number where a string belongs", MQTT_5, () -> new Disconnect(0, Properties.builder()
                        .number(PropertyId.REASON_STRING, 1).build())),
                refuse("reason code 256", MQTT_5, () -> new PubAck(1, 256, Properties.EMPTY)),
                refuse("SUBACK code -1", MQTT_5, () -> new SubAck(1, List.of(-1), Properties.EMPTY)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void invalidContent_isRefusedBeforeAnythingIsAllocated(String rule, MqttVersion v, Supplier<Packet> packet) {
        CountingAllocator alloc = new CountingAllocator();
        Packet p = packet.get();
        assertThatThrownBy(() -> MqttEncoder.encode(alloc, p, v)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MqttEncoder.encodedSize(p, v)).isInstanceOf(IllegalArgumentException.class);
        assertThat(alloc.allocations).isZero();
    }

    @Test
    void publishBeyondTheProtocolLimit_isRefused() {
        ByteBuf megabyte = ALLOC.directBuffer(1 << 20).writeZero(1 << 20);
        ByteBuf[] parts = new ByteBuf[257];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = megabyte.retainedDuplicate();
        }
        megabyte.release();
        ByteBuf huge = Unpooled.wrappedBuffer(parts.length, parts);
        Publish publish = new Publish(false, QoS.AT_MOST_ONCE, false, "t", 0, Properties.EMPTY, huge);
        try {
            assertThatThrownBy(() -> MqttEncoder.encode(ALLOC, publish, MQTT_3_1_1))
                    .isInstanceOf(IllegalArgumentException.class);
        } finally {
            publish.release();
        }
    }

    @Test
    void connect_isEncodedInItsOwnVersion() {
        Connect connect = new Connect(MQTT_3_1, "c", true, 60, null, null, null, Properties.EMPTY);
        ByteBuf encoded = MqttEncoder.encode(ALLOC, connect, null);
        try {
            assertThat(encoded.getByte(10)).isEqualTo((byte) 3);
        } finally {
            encoded.release();
        }
    }

    /** Counts buffers handed out; none may be, when encoding is refused. */
    private static final class CountingAllocator extends AbstractByteBufAllocator {
        int allocations;

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            allocations++;
            return Unpooled.buffer(initialCapacity, maxCapacity);
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            allocations++;
            return Unpooled.directBuffer(initialCapacity, maxCapacity);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    }

    private static Arguments row(String rule, MqttVersion v, Supplier<Packet> packet, String hex) {
        return Arguments.of(rule, v, packet, hex);
    }

    private static Arguments refuse(String rule, MqttVersion v, Supplier<Packet> packet) {
        return Arguments.of(rule, v, packet);
    }

    private static ByteBuf payload(String s) {
        return Bytes.pooled(bytes(s));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
