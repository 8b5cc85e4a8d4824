package io.starling.broker.store.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.time.Clock;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.QoS;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A message on disk: golden bytes, round trips, and expiry carried across a restart as wall time. */
class MessageCodecTest {
    private final AtomicLong nanos = new AtomicLong(5_000_000_000L);
    private final Clock clock = nanos::get;
    private final MessageCodec codec = new MessageCodec(clock);

    private static ByteBuf payload(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    }

    @Test
    void qos1Message_goldenBytes() {
        Message m = new Message("a/b", QoS.AT_LEAST_ONCE, false, payload("hi"), Properties.EMPTY, "p",
                Message.NEVER_EXPIRES);

        byte[] bytes = codec.encode(m);

        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo("02" + "0001" + "70" + "ffffffff" + "ffffffff"
                + "ffffffffffffffff" + "32" + "0a" + "0003" + "612f62" + "0001" + "00" + "6869");
        assertThat(m.payload().refCnt()).isOne();
        m.release();
    }

    @Test
    void publisherUsernameAndListener_goldenBytesAndRoundTrip() {
        Message m = new Message("a/b", QoS.AT_MOST_ONCE, true, payload("hi"), Properties.EMPTY, "p", "u", 1883,
                Message.NEVER_EXPIRES);

        byte[] bytes = codec.encode(m);
        Message back = codec.decode(bytes);

        assertThat(HexFormat.of().formatHex(bytes)).startsWith("02" + "0001" + "70" + "00000001" + "75" + "0000075b"
                + "ffffffffffffffff");
        assertThat(back.publisherUsername()).isEqualTo("u");
        assertThat(back.publisherListener()).isEqualTo(1883);
        assertThat(back.hasRecordedPublisher()).isTrue();
        assertThat(MessageCodec.expiryMillis(bytes)).isEqualTo(MessageCodec.NEVER);
        back.release();
        m.release();
    }

    @Test
    void formatOne_isStillRead_withoutARecordedPublisher() {
        byte[] formatOne = HexFormat.of().parseHex("01" + "0001" + "70" + "ffffffffffffffff"
                + "32" + "0a" + "0003" + "612f62" + "0001" + "00" + "6869");

        Message back = codec.decode(formatOne);

        assertThat(back.topic()).isEqualTo("a/b");
        assertThat(back.publisherId()).isEqualTo("p");
        assertThat(back.publisherUsername()).isNull();
        assertThat(back.hasRecordedPublisher()).isFalse();
        assertThat(back.payload().toString(StandardCharsets.UTF_8)).isEqualTo("hi");
        assertThat(MessageCodec.expiryMillis(formatOne)).isEqualTo(MessageCodec.NEVER);
        back.release();
    }

    @Test
    void roundTrip_keepsEveryField() {
        Properties properties = Properties.builder().text(PropertyId.CONTENT_TYPE, "text/plain").user("k", "v")
                .binary(PropertyId.CORRELATION_DATA, new byte[] {1, 2}).build();
        for (QoS qos : QoS.values()) {
            Message m = new Message("t/é", qos, true, payload("payload"), properties, "pub", Message.NEVER_EXPIRES);

            Message back = codec.decode(codec.encode(m));

            assertThat(back.topic()).isEqualTo("t/é");
            assertThat(back.qos()).isEqualTo(qos);
            assertThat(back.retainFlag()).isTrue();
            assertThat(back.properties()).isEqualTo(properties);
            assertThat(back.publisherId()).isEqualTo("pub");
            assertThat(back.expiryAtNanos()).isEqualTo(Message.NEVER_EXPIRES);
            assertThat(back.payload().toString(StandardCharsets.UTF_8)).isEqualTo("payload");
            assertThat(back.payload().hasArray()).as("an unpooled heap buffer").isTrue();
            assertThat(back.payload().refCnt()).isOne();
            back.release();
            m.release();
        }
    }

    @Test
    void emptyPayloadAndPublisher_roundTrip() {
        Message m = new Message("t", QoS.AT_MOST_ONCE, false, Unpooled.buffer(0), Properties.EMPTY, "",
                Message.NEVER_EXPIRES);

        Message back = codec.decode(codec.encode(m));

        assertThat(back.payloadSize()).isZero();
        assertThat(back.publisherId()).isEmpty();
        back.release();
        assertThat(back.payload().refCnt()).isZero();
    }

    @Test
    void expiry_isKeptAsWallTimeAndComesBackOnTheNewClock() {
        long in60s = nanos.get() + TimeUnit.SECONDS.toNanos(60);
        Message m = new Message("t", QoS.AT_LEAST_ONCE, false, payload("x"), Properties.EMPTY, "p", in60s);
        byte[] bytes = codec.encode(m);
        m.release();

        assertThat(MessageCodec.expiryMillis(bytes)).isCloseTo(System.currentTimeMillis() + 60_000, within(1_000L));
        nanos.set(0); // a new process: its clock starts elsewhere
        Message back = codec.decode(bytes);
        assertThat(back.expiryAtNanos()).isCloseTo(TimeUnit.SECONDS.toNanos(60), within(TimeUnit.SECONDS.toNanos(1)));
        back.release();
        assertThat(MessageCodec.isExpired(bytes, System.currentTimeMillis())).isFalse();
        assertThat(MessageCodec.isExpired(bytes, System.currentTimeMillis() + 61_000)).isTrue();
    }

    @Test
    void unknownFormat_isRefused() {
        assertThatThrownBy(() -> codec.decode(new byte[] {3, 0, 0}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("format 3");
    }

    @Test
    void truncatedPacket_isRefused() {
        Message m = new Message("a/b", QoS.AT_LEAST_ONCE, false, payload("hi"), Properties.EMPTY, "p",
                Message.NEVER_EXPIRES);
        byte[] bytes = codec.encode(m);
        m.release();

        assertThatThrownBy(() -> codec.decode(Arrays.copyOf(bytes, bytes.length - 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
