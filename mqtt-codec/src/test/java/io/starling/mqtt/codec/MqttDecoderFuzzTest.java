package io.starling.mqtt.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The decoder under arbitrary bytes (docs/fuzzing.md). An input is a 4-byte header, then the wire:
 * <ol>
 *   <li>the decoder's version before any CONNECT ({@code % 4}: none, 3.1, 3.1.1, 5.0), as a broker
 *       that has read a CONNECT, or a client that has sent one, has it set;</li>
 *   <li>the maximum packet size ({@code 0}: the protocol's limit, else {@code 2 + 16 * byte});</li>
 *   <li>and 4. how the wire arrives: {@code 0} whole, {@code 1} a byte at a time, otherwise in pieces
 *       of 1..(4 * byte 3) bytes cut by a {@link Random} seeded with byte 4, each piece in its own
 *       pooled buffer appended to what is left of the last, as a socket's reads are.</li>
 * </ol>
 * What must hold for every input: {@code decode} never throws; it leaves the reader index alone until
 * a packet is whole, then takes exactly that packet; bad input is one {@link Malformed} found by the
 * decoder's rules (not an exception it happened to catch), the same verdict on every later call, and
 * the same whether the bytes came whole or in pieces; every packet decoded encodes (in the version
 * it was decoded in) to bytes that decode to an equal packet; and when the packets are released, no
 * buffer has a reference left (checked per input, and by Netty's paranoid leak detector per class).
 * The seed corpus is {@code MqttDecoderFuzzTestInputs/} (regenerate it with {@link MqttDecoderFuzzSeeds}).
 */
@ExtendWith(LeakCheck.class)
class MqttDecoderFuzzTest {
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    private static final MqttVersion[] PRESET = {null, MqttVersion.MQTT_3_1, MqttVersion.MQTT_3_1_1, MqttVersion.MQTT_5};
    static final int HEADER = 4;

    @FuzzTest(maxDuration = "5s")
    void anyBytesInAnyPieces_decodeToPacketsOrOneMalformed(byte[] input) {
        if (input.length < HEADER) {
            return;
        }
        MqttVersion preset = PRESET[input[0] & 3];
        int maxPacketSize = input[1] == 0 ? MqttDecoder.MAX_PACKET_SIZE_LIMIT : 2 + 16 * (input[1] & 0xFF);
        List<byte[]> pieces = pieces(input, HEADER, input[2] & 0xFF, input[3]);

        List<ByteBuf> buffers = new ArrayList<>();
        List<DecodeResult> inPieces = decodeAll(pieces, preset, maxPacketSize, buffers);
        List<DecodeResult> whole = decodeAll(List.of(Arrays.copyOfRange(input, HEADER, input.length)),
                preset, maxPacketSize, buffers);
        try {
            assertThat(inPieces).as("the same results whole and in pieces").isEqualTo(whole);
        } finally {
            inPieces.forEach(Packets::release);
            whole.forEach(Packets::release);
        }
        for (ByteBuf b : buffers) {
            assertThat(b.refCnt()).as("a buffer read from still has a reference once every packet is released")
                    .isZero();
        }
    }

    /** The wire from {@code from} cut as the header says. */
    static List<byte[]> pieces(byte[] input, int from, int mode, byte seed) {
        List<byte[]> pieces = new ArrayList<>();
        Random random = new Random(seed);
        int at = from;
        while (at < input.length) {
            int size = mode == 0 ? input.length - at : mode == 1 ? 1 : 1 + random.nextInt(4 * mode);
            int end = Math.min(input.length, at + size);
            pieces.add(Arrays.copyOfRange(input, at, end));
            at = end;
        }
        return pieces;
    }

    /**
     * Feeds the pieces to one decoder as a connection's reads would arrive, checking each call; every
     * buffer made is added to {@code buffers}.
     */
    private static List<DecodeResult> decodeAll(List<byte[]> pieces, MqttVersion preset, int maxPacketSize,
                                                List<ByteBuf> buffers) {
        MqttDecoder decoder = new MqttDecoder(maxPacketSize);
        decoder.setVersion(preset);
        List<DecodeResult> results = new ArrayList<>();
        ByteBuf cumulation = null;
        try {
            for (byte[] piece : pieces) {
                ByteBuf read = ALLOC.buffer(piece.length).writeBytes(piece);
                buffers.add(read);
                cumulation = cumulation == null ? read : append(cumulation, read, buffers);
                if (decodeAvailable(decoder, cumulation, results)) {
                    return results;
                }
            }
            return results;
        } finally {
            if (cumulation != null) {
                cumulation.release();
            }
        }
    }

    /** The rest of the last read followed by a new one, in a new buffer (payloads hold slices of the old). */
    private static ByteBuf append(ByteBuf cumulation, ByteBuf read, List<ByteBuf> buffers) {
        ByteBuf merged = ALLOC.buffer(cumulation.readableBytes() + read.readableBytes());
        buffers.add(merged);
        merged.writeBytes(cumulation).writeBytes(read);
        cumulation.release();
        read.release();
        return merged;
    }

    /** Decodes what {@code in} holds; true once the decoder has given its verdict on malformed input. */
    private static boolean decodeAvailable(MqttDecoder decoder, ByteBuf in, List<DecodeResult> results) {
        while (true) {
            int before = in.readerIndex();
            MqttVersion version = decoder.version();
            DecodeResult result = decoder.decode(in);
            assertThat(result).isNotNull();
            if (result == NeedMoreData.INSTANCE) {
                assertThat(in.readerIndex()).as("reader index while a packet is incomplete").isEqualTo(before);
                return false;
            }
            results.add(result);
            if (result instanceof Malformed m) {
                assertThat(m.reason()).as("a rule, not an exception caught by the decoder")
                        .doesNotStartWith("cannot decode");
                assertThat(m.reasonCode()).as("a failure reason code").isBetween(0x80, 0xFF);
                assertThat(decoder.decode(in)).as("the verdict is final").isSameAs(m);
                return true;
            }
            assertThat(in.readerIndex()).as("a packet is taken whole").isGreaterThan(before);
            Packet packet = (Packet) result;
            roundTrip(packet, packet instanceof Connect c ? c.version() : version == null ? MqttVersion.MQTT_3_1_1 : version);
            if (!in.isReadable()) {
                return false;
            }
        }
    }

    /** Encodes {@code packet} in {@code v} and decodes that: the same packet, of the size announced. */
    private static void roundTrip(Packet packet, MqttVersion v) {
        ByteBuf encoded = MqttEncoder.encode(ALLOC, packet, v);
        try {
            assertThat(encoded.readableBytes()).as("encodedSize of %s", packet)
                    .isEqualTo(MqttEncoder.encodedSize(packet, v));
            MqttDecoder decoder = new MqttDecoder(MqttDecoder.MAX_PACKET_SIZE_LIMIT);
            decoder.setVersion(v);
            DecodeResult again = decoder.decode(encoded);
            try {
                assertThat(again).as("%s re-encoded in %s and decoded", packet, v).isEqualTo(packet);
                assertThat(encoded.isReadable()).isFalse();
            } finally {
                Packets.release(again);
            }
        } finally {
            encoded.release();
        }
    }
}
