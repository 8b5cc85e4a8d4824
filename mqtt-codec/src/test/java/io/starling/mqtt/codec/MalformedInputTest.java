package io.starling.mqtt.codec;

import static io.starling.mqtt.codec.MqttVersion.MQTT_3_1;
import static io.starling.mqtt.codec.MqttVersion.MQTT_3_1_1;
import static io.starling.mqtt.codec.MqttVersion.MQTT_5;
import static io.starling.mqtt.codec.PacketType.AUTH;
import static io.starling.mqtt.codec.PacketType.CONNACK;
import static io.starling.mqtt.codec.PacketType.CONNECT;
import static io.starling.mqtt.codec.PacketType.DISCONNECT;
import static io.starling.mqtt.codec.PacketType.PINGREQ;
import static io.starling.mqtt.codec.PacketType.PUBACK;
import static io.starling.mqtt.codec.PacketType.PUBLISH;
import static io.starling.mqtt.codec.PacketType.PUBREL;
import static io.starling.mqtt.codec.PacketType.RESERVED;
import static io.starling.mqtt.codec.PacketType.SUBSCRIBE;
import static io.starling.mqtt.codec.PacketType.UNSUBACK;
import static io.starling.mqtt.codec.PacketType.UNSUBSCRIBE;
import static io.starling.mqtt.codec.ReasonCode.MALFORMED_PACKET;
import static io.starling.mqtt.codec.ReasonCode.PACKET_TOO_LARGE;
import static io.starling.mqtt.codec.ReasonCode.PROTOCOL_ERROR;
import static io.starling.mqtt.codec.ReasonCode.UNSUPPORTED_PROTOCOL_VERSION;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A conformance table: bytes in, the reason code the connection must be closed with out. Each row
 * names the rule and, where there is one, its normative statement. The version column is the
 * version the decoder already knows (null: no CONNECT yet).
 */
@ExtendWith(LeakCheck.class)
class MalformedInputTest {
    private static final String MQTT = "0004 4D515454";
    private static final String MQISDP = "0006 4D5149736470";

    static Stream<Arguments> table() {
        return Stream.of(
                // Fixed header
                row("remaining length in five bytes [MQTT-1.5.5]", MQTT_3_1_1, "30 FF FF FF FF 7F", MALFORMED_PACKET, null),
                row("reserved packet type 0", MQTT_3_1_1, "00 00", PROTOCOL_ERROR, RESERVED),
                row("PUBREL flags 0000 [MQTT-3.6.1-1]", MQTT_3_1_1, "60 02 0001", MALFORMED_PACKET, PUBREL),
                row("SUBSCRIBE flags 0000 [MQTT-3.8.1-1]", MQTT_3_1_1, "80 06 0001 0001 61 00", MALFORMED_PACKET, SUBSCRIBE),
                row("UNSUBSCRIBE flags 0000 [MQTT-3.10.1-1]", MQTT_3_1_1, "A0 05 0001 0001 61", MALFORMED_PACKET, UNSUBSCRIBE),
                row("CONNECT flags 0001 [MQTT-2.2.2-2]", null, "11" + connect(MQTT + " 04 02 003C 0001 61").substring(2), MALFORMED_PACKET, CONNECT),
                row("CONNECT flags 0001 in 5.0", null, "11" + connect(MQTT + " 05 02 003C 00 0001 61").substring(2), MALFORMED_PACKET, CONNECT),
                row("DISCONNECT flags 0010 in 5.0", MQTT_5, "E2 00", MALFORMED_PACKET, DISCONNECT),
                row("AUTH flags 0001 in 5.0", MQTT_5, "F1 00", MALFORMED_PACKET, AUTH),
                row("PUBLISH QoS 3 [MQTT-3.3.1-4]", MQTT_3_1_1, "36 05 0001 61 0001", MALFORMED_PACKET, PUBLISH),
                row("PUBLISH QoS 3 in 5.0", MQTT_5, "36 06 0001 61 0001 00", MALFORMED_PACKET, PUBLISH),
                row("AUTH in 3.1.1", MQTT_3_1_1, "F0 00", PROTOCOL_ERROR, AUTH),
                row("AUTH before CONNECT", null, "F0 00", PROTOCOL_ERROR, AUTH),

                // PUBLISH
                row("QoS 1 PUBLISH ending before its packet identifier", MQTT_3_1_1, "32 03 0001 61", MALFORMED_PACKET, PUBLISH),
                row("QoS 1 PUBLISH with packet identifier 0 [MQTT-2.3.1-1]", MQTT_3_1_1, "32 05 0001 61 0000", PROTOCOL_ERROR, PUBLISH),
                row("topic length beyond the packet", MQTT_3_1_1, "30 03 0005 61", MALFORMED_PACKET, PUBLISH),
                row("ill-formed UTF-8 in topic [MQTT-1.5.3-1]", MQTT_3_1_1, "30 05 0003 61 FF 62", MALFORMED_PACKET, PUBLISH),
                row("UTF-16 surrogate U+D800 in topic [MQTT-1.5.3-1]", MQTT_3_1_1, "30 05 0003 ED A0 80", MALFORMED_PACKET, PUBLISH),
                row("overlong '/' in topic [MQTT-1.5.3-1]", MQTT_3_1_1, "30 04 0002 C0 AF", MALFORMED_PACKET, PUBLISH),
                row("truncated multi-byte character in topic", MQTT_3_1_1, "30 04 0002 61 E2", MALFORMED_PACKET, PUBLISH),
                row("U+0000 in topic [MQTT-1.5.3-2]", MQTT_3_1_1, "30 05 0003 61 00 62", MALFORMED_PACKET, PUBLISH),
                row("U+0000 in a non-ASCII topic [MQTT-1.5.3-2]", MQTT_3_1_1, "30 06 0004 C3A9 00 62", MALFORMED_PACKET, PUBLISH),

                // 5.0 properties
                row("undefined property 0x05", MQTT_5, "30 06 0001 61 02 05 00", MALFORMED_PACKET, PUBLISH),
                row("Session Expiry Interval in PUBLISH", MQTT_5, "30 09 0001 61 05 11 0000000A", MALFORMED_PACKET, PUBLISH),
                row("Message Expiry Interval twice [MQTT-2.2.2]", MQTT_5, "30 0E 0001 61 0A 02 00000001 02 00000002", PROTOCOL_ERROR, PUBLISH),
                row("Subscription Identifier twice in SUBSCRIBE", MQTT_5, "82 0B 0001 04 0B01 0B02 0001 61 00", PROTOCOL_ERROR, SUBSCRIBE),
                row("Subscription Identifier 0 in SUBSCRIBE", MQTT_5, "82 09 0001 02 0B 00 0001 61 00", MALFORMED_PACKET, SUBSCRIBE),
                row("Topic Alias 0 [MQTT-3.3.2-8]", MQTT_5, "30 07 0001 61 03 23 0000", MALFORMED_PACKET, PUBLISH),
                row("property length beyond the packet", MQTT_5, "30 05 0001 61 09 01", MALFORMED_PACKET, PUBLISH),
                row("property overrunning the property length", MQTT_5, "30 09 0001 61 02 02 00000001", MALFORMED_PACKET, PUBLISH),
                row("property length in five bytes", MQTT_5, "30 08 0001 61 FFFFFFFF7F", MALFORMED_PACKET, PUBLISH),
                row("property length not in the fewest bytes [MQTT-1.5.5-1]", MQTT_5, "30 05 0001 61 8000", MALFORMED_PACKET, PUBLISH),
                row("Subscription Identifier not in the fewest bytes", MQTT_5, "30 07 0001 61 03 0B 8100", MALFORMED_PACKET, PUBLISH),
                row("Topic Alias in DISCONNECT", MQTT_5, "E0 05 00 03 23 0001", MALFORMED_PACKET, DISCONNECT),
                row("PUBACK properties beyond the packet", MQTT_5, "40 05 0001 10 05 1F", MALFORMED_PACKET, PUBACK),

                // CONNECT
                row("unknown protocol name [MQTT-3.1.2-1]", null, connect("0004 4D515458 04 02 003C 0001 61"), PROTOCOL_ERROR, CONNECT),
                row("protocol level 6 [MQTT-3.1.2-2]", null, connect(MQTT + " 06 02 003C 0001 61"), UNSUPPORTED_PROTOCOL_VERSION, CONNECT),
                row("MQTT with level 3", null, connect(MQTT + " 03 02 003C 0001 61"), UNSUPPORTED_PROTOCOL_VERSION, CONNECT),
                row("MQIsdp with level 4", null, connect(MQISDP + " 04 02 003C 0001 61"), UNSUPPORTED_PROTOCOL_VERSION, CONNECT),
                row("reserved connect flag [MQTT-3.1.2-3]", null, connect(MQTT + " 04 03 003C 0001 61"), MALFORMED_PACKET, CONNECT),
                row("reserved connect flag in 5.0", null, connect(MQTT + " 05 03 003C 00 0001 61"), MALFORMED_PACKET, CONNECT),
                row("password without user name [MQTT-3.1.2-22]", null, connect(MQTT + " 04 42 003C 0001 61 0002 7077"), MALFORMED_PACKET, CONNECT),
                row("password without user name in 3.1", null, connect(MQISDP + " 03 42 003C 0001 61 0002 7077"), MALFORMED_PACKET, CONNECT),
                row("will QoS without will flag [MQTT-3.1.2-13]", null, connect(MQTT + " 04 0A 003C 0001 61"), MALFORMED_PACKET, CONNECT),
                row("will retain without will flag [MQTT-3.1.2-15]", null, connect(MQTT + " 04 22 003C 0001 61"), MALFORMED_PACKET, CONNECT),
                row("will QoS 3 [MQTT-3.1.2-14]", null, connect(MQTT + " 04 1E 003C 0001 61 0001 77 0000"), MALFORMED_PACKET, CONNECT),
                row("ill-formed UTF-8 in client id [MQTT-1.5.3-1]", null, connect(MQTT + " 04 02 003C 0002 C3 28"), MALFORMED_PACKET, CONNECT),
                row("U+0000 in client id [MQTT-1.5.3-2]", null, connect(MQTT + " 04 02 003C 0002 61 00"), MALFORMED_PACKET, CONNECT),
                row("user name flag without user name", null, connect(MQTT + " 04 82 003C 0001 61"), MALFORMED_PACKET, CONNECT),
                row("byte after the last field", null, connect(MQTT + " 04 02 003C 0001 61 FF"), MALFORMED_PACKET, CONNECT),
                row("ending inside keep alive", null, connect(MQTT + " 04 02 00"), MALFORMED_PACKET, CONNECT),
                row("Will Delay Interval among CONNECT properties", null,
                        connect(MQTT + " 05 02 003C 05 18 0000000A 0001 61"), MALFORMED_PACKET, CONNECT),
                row("Session Expiry Interval among will properties", null,
                        connect(MQTT + " 05 06 003C 00 0001 61 05 11 0000000A 0001 77 0000"), MALFORMED_PACKET, CONNECT),
                row("Receive Maximum 0", null, connect(MQTT + " 05 02 003C 03 21 0000 0001 61"), PROTOCOL_ERROR, CONNECT),

                // SUBSCRIBE and UNSUBSCRIBE
                row("SUBSCRIBE without filter [MQTT-3.8.3-3]", MQTT_3_1_1, "82 02 0001", MALFORMED_PACKET, SUBSCRIBE),
                row("SUBSCRIBE without filter in 5.0 [MQTT-3.8.3-2]", MQTT_5, "82 03 0001 00", MALFORMED_PACKET, SUBSCRIBE),
                row("SUBSCRIBE with packet identifier 0", MQTT_3_1_1, "82 06 0000 0001 61 00", MALFORMED_PACKET, SUBSCRIBE),
                row("SUBSCRIBE filter without options byte", MQTT_3_1_1, "82 05 0001 0001 61", MALFORMED_PACKET, SUBSCRIBE),
                row("reserved bits of requested QoS [MQTT-3.8.3-4]", MQTT_3_1_1, "82 06 0001 0001 61 04", MALFORMED_PACKET, SUBSCRIBE),
                row("requested QoS 3 [MQTT-3.8.3-4]", MQTT_3_1_1, "82 06 0001 0001 61 03", MALFORMED_PACKET, SUBSCRIBE),
                row("reserved subscription option bits in 5.0 [MQTT-3.8.3-5]", MQTT_5, "82 07 0001 00 0001 61 40", MALFORMED_PACKET, SUBSCRIBE),
                row("retain handling 3 in 5.0", MQTT_5, "82 07 0001 00 0001 61 30", MALFORMED_PACKET, SUBSCRIBE),
                row("subscription QoS 3 in 5.0", MQTT_5, "82 07 0001 00 0001 61 03", MALFORMED_PACKET, SUBSCRIBE),
                row("UNSUBSCRIBE without filter [MQTT-3.10.3-2]", MQTT_3_1_1, "A2 02 0001", MALFORMED_PACKET, UNSUBSCRIBE),
                row("UNSUBSCRIBE without filter in 5.0", MQTT_5, "A2 03 0001 00", MALFORMED_PACKET, UNSUBSCRIBE),

                // Acknowledgements and other short packets
                row("PUBACK with packet identifier 0", MQTT_3_1_1, "40 02 0000", MALFORMED_PACKET, PUBACK),
                row("PUBACK ending inside its packet identifier", MQTT_3_1_1, "40 01 00", MALFORMED_PACKET, PUBACK),
                row("3.1.1 UNSUBACK with reason codes", MQTT_3_1_1, "B0 03 0001 00", MALFORMED_PACKET, UNSUBACK),
                row("3.1.1 DISCONNECT with a body", MQTT_3_1_1, "E0 01 00", MALFORMED_PACKET, DISCONNECT),
                row("reserved CONNACK flags [MQTT-3.2.2-1]", MQTT_3_1_1, "20 02 02 00", MALFORMED_PACKET, CONNACK),
                row("3.1.1 CONNACK with a byte too many", MQTT_3_1_1, "20 03 00 00 00", MALFORMED_PACKET, CONNACK),
                row("PUBREL with DUP (a 3.1 client's resend) in 3.1.1", MQTT_3_1_1, "6A 02 0001", MALFORMED_PACKET, PUBREL));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void malformedInput_closesTheConnectionWithItsReasonCode(String rule, MqttVersion known, String hex, int reasonCode,
                                                             PacketType packetType) {
        MqttDecoder decoder = new MqttDecoder(1 << 20);
        decoder.setVersion(known);
        ByteBuf in = Bytes.hex(hex);
        try {
            DecodeResult result = decoder.decode(in);
            assertThat(result).isInstanceOf(Malformed.class);
            Malformed malformed = (Malformed) result;
            assertThat(malformed.reasonCode()).as(malformed.reason()).isEqualTo(reasonCode);
            assertThat(malformed.packetType()).isEqualTo(packetType);
            assertThat(in.readerIndex()).isZero();
        } finally {
            in.release();
        }
    }

    @Test
    void declaredLengthOf100MB_isTooLargeAsSoonAsTheFixedHeaderArrives() {
        MqttDecoder decoder = new MqttDecoder(1 << 20);
        ByteBuf header = Bytes.hex("30" + Bytes.vbi(100 * 1024 * 1024));
        try {
            assertThat(header.readableBytes()).isEqualTo(5);
            DecodeResult result = decoder.decode(header);
            assertThat(result).isEqualTo(new Malformed(PACKET_TOO_LARGE, ((Malformed) result).reason(), PUBLISH));
            assertThat(header.readerIndex()).isZero();
            assertThat(header.capacity()).isEqualTo(5);
        } finally {
            header.release();
        }
    }

    @Test
    void packetOfExactlyTheMaximumSize_isAccepted_andOneByteMoreIsTooLarge() {
        // PUBLISH "a" with 5 payload bytes: 2 header bytes + 3 topic bytes + 5 = 10 bytes.
        ByteBuf fits = Bytes.hex("30 08 0001 61 0102030405");
        ByteBuf tooLarge = Bytes.hex("30 09 0001 61 010203040506");
        try {
            DecodeResult decoded = new MqttDecoder(10).decode(fits);
            assertThat(decoded).isInstanceOf(Publish.class);
            Packets.release(decoded);
            assertThat(new MqttDecoder(10).decode(tooLarge))
                    .extracting(r -> ((Malformed) r).reasonCode()).isEqualTo(PACKET_TOO_LARGE);
        } finally {
            fits.release();
            tooLarge.release();
        }
    }

    @Test
    void afterMalformedInput_theDecoderReturnsTheSameVerdictWithoutReading() {
        MqttDecoder decoder = new MqttDecoder(1 << 20);
        ByteBuf bad = Bytes.hex("36 05 0001 61 0001");
        ByteBuf good = Bytes.hex("C0 00");
        try {
            DecodeResult first = decoder.decode(bad);
            assertThat(first).isInstanceOf(Malformed.class);
            assertThat(decoder.decode(good)).isSameAs(first);
            assertThat(decoder.decode(bad)).isSameAs(first);
            assertThat(decoder.decode(Unpooled.EMPTY_BUFFER)).isSameAs(first);
            assertThat(good.readerIndex()).isZero();
        } finally {
            bad.release();
            good.release();
        }
    }

    @Test
    void aBufferThatFailsWhileBeingRead_yieldsMalformedInsteadOfThrowing() {
        ByteBuf released = Unpooled.buffer(8).writeBytes(new byte[] {(byte) 0xC0, 0});
        released.release();
        DecodeResult result = new MqttDecoder(1 << 20).decode(released);
        assertThat(result).isInstanceOf(Malformed.class);
        assertThat(((Malformed) result).reasonCode()).isEqualTo(MALFORMED_PACKET);
    }

    @Test
    void connectWithUnsupportedLevel_isReportedBeforeTheRestIsRead() {
        // Level 6 followed by garbage: the level is the verdict, not the garbage after it.
        MqttDecoder decoder = new MqttDecoder(1 << 20);
        ByteBuf in = Bytes.hex(connect(MQTT + " 06 FF"));
        try {
            DecodeResult result = decoder.decode(in);
            assertThat(((Malformed) result).reasonCode()).isEqualTo(UNSUPPORTED_PROTOCOL_VERSION);
            assertThat(decoder.version()).isNull();
        } finally {
            in.release();
        }
    }

    /** Input mosquitto 2.0.11 takes (each measured against it with raw packets), and so do we. */
    static Stream<Arguments> acceptedAsMosquittoDoes() {
        return Stream.of(
                Arguments.of("PUBACK flags 0001", MQTT_3_1_1, "41 02 0001", PUBACK),
                Arguments.of("PUBREC flags 0011", MQTT_5, "53 02 0001", PacketType.PUBREC),
                Arguments.of("PUBCOMP flags 0011", MQTT_5, "73 02 0001", PacketType.PUBCOMP),
                Arguments.of("PINGREQ flags 0001", MQTT_3_1_1, "C1 00", PINGREQ),
                Arguments.of("PUBLISH QoS 0 with DUP", MQTT_3_1_1, "38 03 0001 61", PUBLISH),
                Arguments.of("PUBREL flags 0000 in 3.1", MQTT_3_1, "60 02 0001", PUBREL),
                Arguments.of("PUBREL with DUP in 3.1 (a resend)", MQTT_3_1, "6A 02 0001", PUBREL),
                Arguments.of("SUBSCRIBE flags 0000 in 3.1", MQTT_3_1, "80 06 0001 0001 61 00", SUBSCRIBE),
                Arguments.of("UNSUBSCRIBE flags 0000 in 3.1", MQTT_3_1, "A0 05 0001 0001 61", UNSUBSCRIBE),
                Arguments.of("DISCONNECT flags 0001 in 3.1", MQTT_3_1, "E1 00", DISCONNECT),
                Arguments.of("CONNECT flags 0001 in 3.1", null, "11" + connect(MQISDP + " 03 02 003C 0001 61").substring(2), CONNECT),
                Arguments.of("3.1 SUBSCRIBE without filter", MQTT_3_1, "82 02 0001", SUBSCRIBE),
                Arguments.of("3.1 UNSUBSCRIBE without filter", MQTT_3_1, "A2 02 0001", UNSUBSCRIBE),
                Arguments.of("Subscription Identifier 0 in PUBLISH", MQTT_5, "30 06 0001 61 02 0B 00", PUBLISH),
                Arguments.of("Payload Format Indicator 2", MQTT_5, "30 06 0001 61 02 01 02", PUBLISH),
                Arguments.of("Payload Format Indicator 255", MQTT_5, "30 06 0001 61 02 01 FF", PUBLISH),
                Arguments.of("PUBACK bytes after its properties", MQTT_5, "40 05 0001 10 00 FF", PUBACK),
                Arguments.of("3.1.1 PUBACK with a reason code", MQTT_3_1_1, "40 03 0001 00", PUBACK),
                Arguments.of("3.1.1 PUBREL with a byte too many", MQTT_3_1_1, "62 03 0001 00", PUBREL),
                Arguments.of("PINGREQ with a body", MQTT_3_1_1, "C0 01 00", PINGREQ),
                Arguments.of("remaining length not in the fewest bytes", MQTT_3_1_1, "C0 80 00", PINGREQ));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("acceptedAsMosquittoDoes")
    void inputMosquittoTakes_isDecoded(String rule, MqttVersion known, String hex, PacketType type) {
        MqttDecoder decoder = new MqttDecoder(1 << 20);
        decoder.setVersion(known);
        ByteBuf in = Bytes.hex(hex);
        try {
            DecodeResult result = decoder.decode(in);
            assertThat(result).as(result.toString()).isInstanceOf(Packet.class);
            assertThat(((Packet) result).type()).isEqualTo(type);
            assertThat(in.isReadable()).isFalse();
            if (result instanceof Publish p) {
                p.release();
            }
        } finally {
            in.release();
        }
    }

    /** The faults a broker answers apart from the rest (mosquitto closes on them without a DISCONNECT). */
    static Stream<Arguments> faults() {
        return Stream.of(
                Arguments.of("Message Expiry Interval twice", "30 0E 0001 61 0A 02 00000001 02 00000002",
                        Malformed.Fault.DUPLICATE_PROPERTY),
                Arguments.of("Subscription Identifier twice in SUBSCRIBE", "82 0B 0001 04 0B01 0B02 0001 61 00",
                        Malformed.Fault.DUPLICATE_PROPERTY),
                Arguments.of("ill-formed UTF-8 in a user property", "30 0C 0001 61 07 26 0001 FF 0001 62 78",
                        Malformed.Fault.PROPERTY_STRING),
                Arguments.of("U+0000 in a Response Topic", "30 09 0001 61 04 08 0001 00 78", Malformed.Fault.PROPERTY_STRING),
                Arguments.of("ill-formed UTF-8 in the topic", "30 05 0003 61 FF 62", Malformed.Fault.PACKET),
                Arguments.of("a property string beyond the property length", "30 0A 0001 61 02 03 0002 61 62 78",
                        Malformed.Fault.PACKET),
                Arguments.of("undefined property", "30 06 0001 61 02 05 00", Malformed.Fault.PACKET));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faults")
    void malformedInput_namesItsFault(String rule, String hex, Malformed.Fault fault) {
        MqttDecoder decoder = new MqttDecoder(1 << 20);
        decoder.setVersion(MQTT_5);
        ByteBuf in = Bytes.hex(hex);
        try {
            assertThat(((Malformed) decoder.decode(in)).fault()).isEqualTo(fault);
        } finally {
            in.release();
        }
    }

    private static Arguments row(String rule, MqttVersion known, String hex, int reasonCode, PacketType type) {
        return Arguments.of(rule, known, hex, reasonCode, type);
    }

    /** A CONNECT packet around {@code body} (hex), with the remaining length computed. */
    private static String connect(String body) {
        int length = body.replace(" ", "").length() / 2;
        return "10" + Bytes.vbi(length) + body;
    }
}
