package io.starling.broker.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.starling.broker.core.sys.BrokerCounters;
import io.starling.broker.core.sys.Counter;
import io.starling.mqtt.codec.DecodeResult;
import io.starling.mqtt.codec.Malformed;
import io.starling.mqtt.codec.Publish;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A connection's byte stream under arbitrary bytes in arbitrary reads (docs/fuzzing.md). An input is
 * a 3-byte header, then the wire: 1. the maximum packet size ({@code 0}: 16 MiB, else
 * {@code 2 + 16 * byte}); 2. and 3. how the reads are cut: {@code 0} whole, {@code 1} a byte at a time,
 * otherwise pieces of 1..(4 * byte 2) bytes from a {@link Random} seeded with byte 3.
 *
 * <p>What must hold: {@link PacketStream#read} never throws; the sink gets packets, then at most one
 * {@link Malformed}, last; the packets are the same whether the bytes came in one read or in pieces
 * (which also exercises the in-place and copying appends of an unfinished packet); the bytes counted
 * are the same both ways; and once the stream and the packets are released, no buffer has a reference
 * left, neither the reads nor those the stream merged them into (checked per input with a
 * {@link TrackingAllocator}, and by Netty's leak detector, paranoid in builds, per class).
 */
@ExtendWith(LeakCheck.class)
class PacketStreamFuzzTest {
    private static final int HEADER = 3;

    @FuzzTest(maxDuration = "5s")
    void anyBytesInAnyReads_arePacketsThenAtMostOneMalformed(byte[] input) {
        if (input.length < HEADER) {
            return;
        }
        int maxPacketSize = input[0] == 0 ? 16 << 20 : 2 + 16 * (input[0] & 0xFF);
        byte[] wire = Arrays.copyOfRange(input, HEADER, input.length);
        TrackingAllocator alloc = new TrackingAllocator();
        Received inPieces = read(cut(wire, input[1] & 0xFF, input[2]), maxPacketSize, alloc);
        Received whole = read(List.of(wire), maxPacketSize, alloc);
        try {
            assertThat(inPieces.results).as("the same packets whole and in pieces").isEqualTo(whole.results);
            assertThat(inPieces.bytesCounted).isEqualTo(whole.bytesCounted);
            for (int i = 0; i < whole.results.size() - 1; i++) {
                assertThat(whole.results.get(i)).as("only the last result may be malformed")
                        .isNotInstanceOf(Malformed.class);
            }
        } finally {
            inPieces.release();
            whole.release();
        }
        assertThat(alloc.unreleased()).as("buffers (reads and the stream's own) still referenced once stream and"
                + " packets are released").isEmpty();
    }

    private static List<byte[]> cut(byte[] wire, int mode, byte seed) {
        List<byte[]> pieces = new ArrayList<>();
        Random random = new Random(seed);
        int at = 0;
        while (at < wire.length) {
            int size = mode == 0 ? wire.length : mode == 1 ? 1 : 1 + random.nextInt(4 * mode);
            int end = Math.min(wire.length, at + size);
            pieces.add(Arrays.copyOfRange(wire, at, end));
            at = end;
        }
        return pieces;
    }

    /** What one stream gave its sink. */
    private record Received(List<DecodeResult> results, long bytesCounted) {
        void release() {
            for (DecodeResult r : results) {
                if (r instanceof Publish p) {
                    p.release();
                }
            }
        }
    }

    private static Received read(List<byte[]> pieces, int maxPacketSize, TrackingAllocator alloc) {
        BrokerCounters counters = new BrokerCounters();
        PacketStream stream = new PacketStream(maxPacketSize, 1 << 20, counters.local());
        List<DecodeResult> results = new ArrayList<>();
        try {
            for (byte[] piece : pieces) {
                // Some room after the bytes, as a socket read has, so that appends in place happen too.
                ByteBuf read = alloc.buffer(piece.length + (piece.length & 7)).writeBytes(piece);
                stream.read(read, alloc, results::add);
            }
        } finally {
            stream.release();
        }
        return new Received(results, counters.sum(Counter.BYTES_RECEIVED));
    }
}
