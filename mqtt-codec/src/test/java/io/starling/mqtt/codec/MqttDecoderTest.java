package io.starling.mqtt.codec;

import static io.starling.mqtt.codec.MqttVersion.MQTT_3_1;
import static io.starling.mqtt.codec.MqttVersion.MQTT_3_1_1;
import static io.starling.mqtt.codec.MqttVersion.MQTT_5;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Well-formed input: bytes in, the packet out (conformance-table style), plus the decoder's states. */
@ExtendWith(LeakCheck.class)
class MqttDecoderTest {

    static Stream<Arguments> table() {
        Properties reasonX = Properties.builder().text(PropertyId.REASON_STRING, "x").build();
        return Stream.of(
                row("5.0 PUBACK of 2 bytes is success without properties [3.4.2.1]", MQTT_5, "40 02 0001",
                        new PubAck(1)),
                row("5.0 PUBACK of 3 bytes has a reason code and no properties", MQTT_5, "40 03 0001 10",
                        new PubAck(1, 0x10, Properties.EMPTY)),
                row("5.0 PUBACK with a zero property length (Netty's form)", MQTT_5, "40 04 0001 10 00",
                        new PubAck(1, 0x10, Properties.EMPTY)),
                row("5.0 PUBREC with properties", MQTT_5, "50 08 0002 80 04 1F000178",
                        new PubRec(2, 0x80, reasonX)),
                row("5.0 PUBREL of 2 bytes", MQTT_5, "62 02 0003", new PubRel(3)),
                row("5.0 PUBCOMP of 3 bytes", MQTT_5, "70 03 0004 92", new PubComp(4, 0x92, Properties.EMPTY)),
                row("5.0 DISCONNECT of 0 bytes is a normal disconnection [3.14.2.1]", MQTT_5, "E0 00", Disconnect.NORMAL),
                row("5.0 DISCONNECT of 1 byte has a reason code only", MQTT_5, "E0 01 04",
                        new Disconnect(4, Properties.EMPTY)),
                row("5.0 DISCONNECT with properties", MQTT_5, "E0 06 8B 04 1F000178", new Disconnect(0x8B, reasonX)),
                row("5.0 AUTH of 0 bytes is success [3.15.2.1]", MQTT_5, "F0 00", new Auth(0, Properties.EMPTY)),
                row("5.0 AUTH with properties", MQTT_5, "F0 06 18 04 1F000178", new Auth(0x18, reasonX)),
                row("3.1.1 DISCONNECT", MQTT_3_1_1, "E0 00", Disconnect.NORMAL),
                row("before any CONNECT, packets are read as 3.1.1", null, "40 02 0001", new PubAck(1)),
                row("3.1.1 CONNACK with session present", MQTT_3_1_1, "20 02 01 00",
                        new ConnAck(true, 0, Properties.EMPTY)),
                row("3.1 CONNACK's first byte is unused", MQTT_3_1, "20 02 01 05", new ConnAck(false, 5, Properties.EMPTY)),
                row("5.0 CONNACK with properties", MQTT_5, "20 07 01 00 04 1F000178", new ConnAck(true, 0, reasonX)),
                row("3.1.1 SUBACK", MQTT_3_1_1, "90 05 0007 00 02 80",
                        new SubAck(7, List.of(0, 2, 0x80), Properties.EMPTY)),
                row("3.1.1 UNSUBACK has no payload", MQTT_3_1_1, "B0 02 0007", new UnsubAck(7, List.of(), Properties.EMPTY)),
                row("5.0 UNSUBACK", MQTT_5, "B0 05 0007 00 00 11", new UnsubAck(7, List.of(0, 0x11), Properties.EMPTY)),
                row("5.0 SUBSCRIBE options: retain handling 2, retain as published, no local, QoS 1", MQTT_5,
                        "82 07 0001 00 0001 61 2D", new Subscribe(1, List.of(new Subscription("a",
                                new SubscriptionOptions(QoS.AT_LEAST_ONCE, true, true, 2))), Properties.EMPTY)),
                row("5.0 SUBSCRIBE with a Subscription Identifier of two bytes", MQTT_5,
                        "82 0A 0001 03 0B 8001 0001 23 02", new Subscribe(1, List.of(new Subscription("#",
                                SubscriptionOptions.of(QoS.EXACTLY_ONCE))), Properties.builder()
                                .number(PropertyId.SUBSCRIPTION_IDENTIFIER, 128).build())),
                row("3.1.1 UNSUBSCRIBE", MQTT_3_1_1, "A2 08 0001 0001 61 0001 62",
                        new Unsubscribe(1, List.of("a", "b"), Properties.EMPTY)),
                row("PINGREQ", MQTT_3_1_1, "C0 00", PingReq.INSTANCE),
                row("PINGRESP", MQTT_3_1_1, "D0 00", PingResp.INSTANCE),
                row("5.0 CONNECT with a password and no user name [3.1.2.9]", null,
                        "10 12 0004 4D515454 05 42 003C 00 0001 63 0002 7077",
                        new Connect(MQTT_5, "c", true, 60, null, "pw".getBytes(StandardCharsets.US_ASCII), null,
                                Properties.EMPTY)),
                row("3.1 CONNECT with will, user name and password", null,
                        "10 1D 0006 4D5149736470 03 EE 003C 0001 63 0001 77 0002 6279 0001 75 0002 7077",
                        new Connect(MQTT_3_1, "c", true, 60, "u", "pw".getBytes(StandardCharsets.US_ASCII),
                                new Will("w", "by".getBytes(StandardCharsets.US_ASCII), QoS.AT_LEAST_ONCE, true,
                                        Properties.EMPTY), Properties.EMPTY)),
                row("3.1.1 CONNECT with an empty client id", null, "10 0C 0004 4D515454 04 02 003C 0000",
                        new Connect(MQTT_3_1_1, "", true, 60, null, null, null, Properties.EMPTY)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void wellFormedInput_decodesToItsPacket(String rule, MqttVersion known, String hex, Packet expected) {
        MqttDecoder decoder = new MqttDecoder(1 << 20);
        decoder.setVersion(known);
        ByteBuf in = Bytes.hex(hex);
        try {
            assertThat(decoder.decode(in)).isEqualTo(expected);
            assertThat(in.isReadable()).isFalse();
        } finally {
            in.release();
        }
    }

    @Test
    void publishOfQos0_hasNoPacketIdentifier_andQos2_hasOne() {
        ByteBuf in = Bytes.hex("31 06 0001 61 7061 79" + " 3C 06 0001 61 0009 7A");
        MqttDecoder decoder = new MqttDecoder(1 << 20);
        try {
            Publish qos0 = (Publish) decoder.decode(in);
            Publish qos2 = (Publish) decoder.decode(in);
            try {
                assertThat(qos0.qos()).isEqualTo(QoS.AT_MOST_ONCE);
                assertThat(qos0.retain()).isTrue();
                assertThat(qos0.topic()).isEqualTo("a");
                assertThat(qos0.packetId()).isZero();
                assertThat(qos0.payload().toString(StandardCharsets.US_ASCII)).isEqualTo("pay");
                assertThat(qos2.dup()).isTrue();
                assertThat(qos2.qos()).isEqualTo(QoS.EXACTLY_ONCE);
                assertThat(qos2.packetId()).isEqualTo(9);
                assertThat(qos2.payload().toString(StandardCharsets.US_ASCII)).isEqualTo("z");
            } finally {
                qos0.release();
                qos2.release();
            }
        } finally {
            in.release();
        }
    }

    @Test
    void v5PublishWithSeveralSubscriptionIdentifiersAndAnEmptyTopic_keepsThemInWireOrder() {
        ByteBuf in = Bytes.hex("30 0D 0000 0A 0B05 0B01 26 0001 6B 0000");
        MqttDecoder decoder = new MqttDecoder(1 << 20);
        decoder.setVersion(MQTT_5);
        try {
            Publish publish = (Publish) decoder.decode(in);
            assertThat(publish.topic()).isEmpty();
            assertThat(publish.properties().numbers(PropertyId.SUBSCRIPTION_IDENTIFIER)).containsExactly(5L, 1L);
            assertThat(publish.properties().userProperties()).containsExactly(new Property.UserProperty("k", ""));
            assertThat(publish.payload().isReadable()).isFalse();
            publish.release();
        } finally {
            in.release();
        }
    }

    @Test
    void multiByteUtf8_andTheByteOrderMark_areDecodedAsWritten() {
        // "€/😀/" then U+FEFF, which must be kept, not stripped [MQTT-1.5.3-3].
        ByteBuf in = Bytes.hex("30 0E 000C E282AC 2F F09F9880 2F EFBBBF");
        try {
            Publish publish = (Publish) new MqttDecoder(1 << 20).decode(in);
            assertThat(publish.topic()).isEqualTo("€/\uD83D\uDE00/\uFEFF");
            publish.release();
        } finally {
            in.release();
        }
    }

    @Test
    void connect_setsTheVersionForTheRestOfTheConnection() {
        for (MqttVersion v : MqttVersion.values()) {
            MqttDecoder decoder = new MqttDecoder(1 << 20);
            assertThat(decoder.version()).isNull();
            Connect connect = new Connect(v, "c", true, 10, null, null, null, Properties.EMPTY);
            ByteBuf in = MqttEncoder.encode(io.netty.buffer.PooledByteBufAllocator.DEFAULT, connect, v);
            try {
                assertThat(decoder.decode(in)).isEqualTo(connect);
                assertThat(decoder.version()).isEqualTo(v);
            } finally {
                in.release();
            }
        }
    }

    @Test
    void connectWithTheBridgeBitInItsLevel_isABridgesConnect_inItsVersion() {
        // What mosquitto 2.0.11 sends for a bridge with try_private true (the default): level 0x84.
        MqttDecoder decoder = new MqttDecoder(1 << 20);
        ByteBuf in = Bytes.hex("10 0D 0004 4D515454 84 02 003C 0001 62");
        try {
            Connect connect = (Connect) decoder.decode(in);
            assertThat(connect.bridge()).isTrue();
            assertThat(connect.version()).isEqualTo(MqttVersion.MQTT_3_1_1);
            assertThat(connect.clientId()).isEqualTo("b");
            assertThat(decoder.version()).isEqualTo(MqttVersion.MQTT_3_1_1);
        } finally {
            in.release();
        }
        for (MqttVersion v : new MqttVersion[] {MqttVersion.MQTT_3_1, MqttVersion.MQTT_3_1_1}) {
            Connect bridge = new Connect(v, "b", false, 60, null, null, null, Properties.EMPTY, true);
            ByteBuf encoded = MqttEncoder.encode(io.netty.buffer.PooledByteBufAllocator.DEFAULT, bridge, v);
            try {
                assertThat(new MqttDecoder(1 << 20).decode(encoded)).isEqualTo(bridge);
            } finally {
                encoded.release();
            }
        }
    }

    @Test
    void connectWithAnUnknownLevel_isStillRefused_withOrWithoutTheBridgeBit() {
        for (String level : new String[] {"06", "86", "82", "85"}) {
            ByteBuf in = Bytes.hex("10 0D 0004 4D515454 " + level + " 02 003C 0001 62");
            try {
                assertThat(new MqttDecoder(1 << 20).decode(in)).isInstanceOf(Malformed.class);
            } finally {
                in.release();
            }
        }
    }

    @Test
    void malformedConnectAfterItsProtocolLevel_stillTellsTheVersion_soTheBrokerCanAnswerInKind() {
        MqttDecoder decoder = new MqttDecoder(1 << 20);
        ByteBuf in = Bytes.hex("10 0F 0004 4D515454 05 02 003C 00 0002 C328");
        try {
            assertThat(decoder.decode(in)).isInstanceOf(Malformed.class);
            assertThat(decoder.version()).isEqualTo(MQTT_5);
        } finally {
            in.release();
        }
    }

    @Test
    void partialFixedHeader_needsMoreData_andConsumesNothing() {
        MqttDecoder decoder = new MqttDecoder(1 << 20);
        ByteBuf in = Bytes.hex("30 80");
        try {
            assertThat(decoder.decode(in)).isSameAs(NeedMoreData.INSTANCE);
            assertThat(in.readerIndex()).isZero();
            in.clear();
            assertThat(decoder.decode(in)).isSameAs(NeedMoreData.INSTANCE);
        } finally {
            in.release();
        }
    }

    @Test
    void decoding_startsAtTheReaderIndex_andStopsAtTheEndOfOnePacket() {
        ByteBuf in = Bytes.hex("FFFF C000 D000");
        in.readerIndex(2);
        MqttDecoder decoder = new MqttDecoder(1 << 20);
        try {
            assertThat(decoder.decode(in)).isEqualTo(PingReq.INSTANCE);
            assertThat(in.readerIndex()).isEqualTo(4);
            assertThat(decoder.decode(in)).isEqualTo(PingResp.INSTANCE);
            assertThat(decoder.decode(in)).isSameAs(NeedMoreData.INSTANCE);
        } finally {
            in.release();
        }
    }

    @Test
    void maximumPacketSize_canBeChangedAndIsBounded() {
        MqttDecoder decoder = new MqttDecoder(MqttDecoder.MAX_PACKET_SIZE_LIMIT);
        decoder.setMaxPacketSize(2);
        ByteBuf in = Bytes.hex("C000 3001");
        try {
            assertThat(decoder.decode(in)).isEqualTo(PingReq.INSTANCE);
            assertThat(((Malformed) decoder.decode(in)).reasonCode()).isEqualTo(ReasonCode.PACKET_TOO_LARGE);
        } finally {
            in.release();
        }
        assertThatThrownBy(() -> new MqttDecoder(1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> decoder.setMaxPacketSize(MqttDecoder.MAX_PACKET_SIZE_LIMIT + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static Arguments row(String rule, MqttVersion known, String hex, Packet expected) {
        return Arguments.of(rule, known, hex, expected);
    }
}
