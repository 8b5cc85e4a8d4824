package io.starling.mqtt.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class PayloadStampTest {
    @Test
    void stamp_readsBackTimeStreamAndSequence() {
        ByteBuf payload = Unpooled.buffer();
        PayloadStamp.write(payload, 1_764_000_000_123_456_789L, 0xCAFE, 7, 41);
        payload.writeZero(40);

        assertThat(PayloadStamp.isStamped(payload)).isTrue();
        assertThat(PayloadStamp.sentAt(payload)).isEqualTo(1_764_000_000_123_456_789L);
        assertThat(PayloadStamp.stream(payload)).isEqualTo(0xCAFEL << 32 | 7);
        assertThat(PayloadStamp.publisherOf(PayloadStamp.stream(payload))).isEqualTo(7);
        assertThat(PayloadStamp.sequence(payload)).isEqualTo(41);
        assertThat(payload.readableBytes()).isEqualTo(64);
    }

    @Test
    void stampIsReadFromTheReaderIndex_asInASlice() {
        ByteBuf packet = Unpooled.buffer();
        packet.writeBytes(new byte[] {0x30, 0x1a, 0, 1, 't'});
        PayloadStamp.write(packet, 5, -1, 2, 3);
        ByteBuf payload = packet.slice(5, PayloadStamp.SIZE);

        assertThat(PayloadStamp.isStamped(payload)).isTrue();
        assertThat(PayloadStamp.sentAt(payload)).isEqualTo(5);
        assertThat(PayloadStamp.sequence(payload)).isEqualTo(3);
    }

    @Test
    void payloadShorterThanTheStamp_isNotStamped() {
        ByteBuf payload = Unpooled.buffer();
        PayloadStamp.write(payload, 1, 2, 3, 4);
        assertThat(PayloadStamp.isStamped(payload.slice(0, PayloadStamp.SIZE - 1))).isFalse();
    }

    @Test
    void foreignPayload_withoutTheMagic_isNotStamped() {
        assertThat(PayloadStamp.isStamped(Unpooled.wrappedBuffer(new byte[64]))).isFalse();
    }

    @Test
    void epochClock_agreesWithTheSystemClockToAMillisecond() {
        long epochMillis = EpochClock.SYSTEM.nanos() / 1_000_000;
        assertThat(epochMillis).isBetween(System.currentTimeMillis() - 5, System.currentTimeMillis() + 5);
    }
}
