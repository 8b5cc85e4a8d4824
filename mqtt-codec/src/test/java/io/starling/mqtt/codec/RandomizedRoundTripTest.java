package io.starling.mqtt.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Thousands of random packets of every type and version: encode, decode, compare (PUBLISH payloads
 * by content), and check {@code encodedSize}; then the same bytes cut into pieces, to check that the
 * decoder waits without consuming anything until a packet is whole. The seed is printed on failure;
 * rerun one with {@code -Dcodec.seed=<seed>}.
 */
@ExtendWith(LeakCheck.class)
class RandomizedRoundTripTest {
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    private static final long SEED = Long.getLong("codec.seed", System.nanoTime());

    @Test
    void randomPacketsOfEveryTypeAndVersion_decodeToWhatWasEncoded() {
        forRandomPackets(1000, (packet, v) -> {
            ByteBuf encoded = MqttEncoder.encode(ALLOC, packet, v);
            try {
                assertThat(encoded.readableBytes()).isEqualTo(MqttEncoder.encodedSize(packet, v));
                MqttDecoder decoder = decoderFor(packet, v);
                DecodeResult decoded = decoder.decode(encoded);
                try {
                    assertThat(decoded).isEqualTo(packet);
                    assertThat(encoded.isReadable()).isFalse();
                    assertThat(decoder.version()).isEqualTo(v);
                } finally {
                    Packets.release(decoded);
                }
            } finally {
                encoded.release();
            }
        });
    }

    @Test
    void randomPacketsArrivingInPieces_areDecodedOnlyWhenWhole() {
        Random cuts = new Random(SEED + 1);
        forRandomPackets(200, (packet, v) -> {
            byte[] bytes = encodeToArray(packet, v);
            TreeSet<Integer> positions = new TreeSet<>();
            if (bytes.length <= 300) {
                for (int i = 1; i < bytes.length; i++) {
                    positions.add(i);
                }
            } else {
                for (int i = 1; i <= 6; i++) {
                    positions.add(i);
                }
                for (int i = 0; i < 20; i++) {
                    positions.add(1 + cuts.nextInt(bytes.length - 1));
                }
            }
            ByteBuf cumulation = ALLOC.buffer(bytes.length);
            try {
                MqttDecoder decoder = decoderFor(packet, v);
                int written = 0;
                for (int cut : positions) {
                    cumulation.writeBytes(bytes, written, cut - written);
                    written = cut;
                    assertThat(decoder.decode(cumulation)).as("after %d of %d bytes", cut, bytes.length)
                            .isSameAs(NeedMoreData.INSTANCE);
                    assertThat(cumulation.readerIndex()).isZero();
                }
                cumulation.writeBytes(bytes, written, bytes.length - written);
                DecodeResult decoded = decoder.decode(cumulation);
                try {
                    assertThat(decoded).isEqualTo(packet);
                    assertThat(cumulation.isReadable()).isFalse();
                } finally {
                    Packets.release(decoded);
                }
            } finally {
                cumulation.release();
            }
        });
    }

    @Test
    void aStreamOfRandomPackets_isDecodedOnePacketPerCall() {
        Random random = new Random(SEED);
        RandomPackets generator = new RandomPackets(random, false);
        for (MqttVersion v : MqttVersion.values()) {
            List<Packet> sent = new ArrayList<>();
            ByteBuf stream = ALLOC.buffer();
            MqttDecoder decoder = new MqttDecoder(MqttDecoder.MAX_PACKET_SIZE_LIMIT);
            try {
                Packet connect = generator.next(PacketType.CONNECT, v);
                sent.add(connect);
                writeTo(stream, connect, v);
                for (int i = 0; i < 300; i++) {
                    List<PacketType> types = RandomPackets.typesOf(v);
                    Packet packet = generator.next(types.get(random.nextInt(types.size())), v);
                    sent.add(packet);
                    writeTo(stream, packet, v);
                }
                for (Packet expected : sent) {
                    DecodeResult decoded = decoder.decode(stream);
                    try {
                        assertThat(decoded).as("seed %d", SEED).isEqualTo(expected);
                    } finally {
                        Packets.release(decoded);
                    }
                }
                assertThat(decoder.decode(stream)).isSameAs(NeedMoreData.INSTANCE);
                assertThat(decoder.version()).isEqualTo(v);
            } finally {
                stream.release();
                sent.forEach(Packets::release);
            }
        }
    }

    private interface Check {
        void check(Packet packet, MqttVersion v);
    }

    /** Runs {@code check} on {@code rounds} random packets of every type of every version. */
    private static void forRandomPackets(int rounds, Check check) {
        RandomPackets generator = new RandomPackets(new Random(SEED), false);
        for (int round = 0; round < rounds; round++) {
            for (MqttVersion v : MqttVersion.values()) {
                for (PacketType type : RandomPackets.typesOf(v)) {
                    Packet packet = generator.next(type, v);
                    try {
                        check.check(packet, v);
                    } catch (AssertionError | RuntimeException e) {
                        throw new AssertionError("seed " + SEED + " (rerun with -Dcodec.seed=" + SEED + "), round "
                                + round + ", " + v + ": " + packet, e);
                    } finally {
                        Packets.release(packet);
                    }
                }
            }
        }
    }

    /** A fresh decoder that knows the version, as a connection's would after the CONNECT. */
    private static MqttDecoder decoderFor(Packet packet, MqttVersion v) {
        MqttDecoder decoder = new MqttDecoder(MqttDecoder.MAX_PACKET_SIZE_LIMIT);
        if (packet.type() != PacketType.CONNECT) {
            decoder.setVersion(v);
        }
        return decoder;
    }

    private static byte[] encodeToArray(Packet packet, MqttVersion v) {
        ByteBuf encoded = MqttEncoder.encode(ALLOC, packet, v);
        try {
            return Bytes.array(encoded);
        } finally {
            encoded.release();
        }
    }

    private static void writeTo(ByteBuf stream, Packet packet, MqttVersion v) {
        ByteBuf encoded = MqttEncoder.encode(ALLOC, packet, v);
        try {
            stream.writeBytes(encoded);
        } finally {
            encoded.release();
        }
    }
}
