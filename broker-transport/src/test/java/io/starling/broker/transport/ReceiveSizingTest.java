package io.starling.broker.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** ReceiveSizing must size reads and end read loops exactly as Netty's AdaptiveRecvByteBufAllocator. */
class ReceiveSizingTest {

    /** Runs the same read loops through a handle: what it guessed and whether it went on, read by read. */
    private static List<String> drive(RecvByteBufAllocator.ExtendedHandle handle, ChannelConfig config, long seed) {
        Random random = new Random(seed);
        List<String> seen = new ArrayList<>();
        for (int loop = 0; loop < 400; loop++) {
            handle.reset(config);
            config.setAutoRead(random.nextInt(20) != 0);
            // Bursts of large reads, runs of small ones, and everything between.
            int scale = random.nextInt(4) == 0 ? 200_000 : random.nextInt(3) == 0 ? 300 : 5_000;
            boolean more = true;
            while (more) {
                int guess = handle.guess();
                handle.attemptedBytesRead(guess);
                int read = random.nextInt(8) == 0 ? 0 : Math.min(guess, random.nextInt(scale) + 1);
                handle.lastBytesRead(read);
                if (read > 0) {
                    handle.incMessagesRead(1);
                }
                more = read > 0 && handle.continueReading();
                seen.add(guess + (more ? "+" : "."));
            }
            handle.readComplete();
            seen.add("next " + handle.guess());
        }
        return seen;
    }

    @Test
    void guessesAndReadLoops_matchNettysAdaptiveAllocatorWithItsDefaults() {
        ChannelConfig config = new EmbeddedChannel().config();
        for (long seed = 1; seed <= 20; seed++) {
            List<String> netty = drive((RecvByteBufAllocator.ExtendedHandle) new AdaptiveRecvByteBufAllocator().newHandle(),
                    config, seed);
            List<String> ours = drive((RecvByteBufAllocator.ExtendedHandle) ReceiveSizing.INSTANCE.newHandle(), config, seed);
            assertEquals(netty, ours, "seed " + seed);
        }
    }

    @Test
    void firstGuess_is2048_andStaysBetween64And65536() {
        RecvByteBufAllocator.Handle handle = ReceiveSizing.INSTANCE.newHandle();
        assertEquals(2048, handle.guess());
        ChannelConfig config = new EmbeddedChannel().config();
        for (int i = 0; i < 100; i++) {
            handle.reset(config);
            handle.attemptedBytesRead(handle.guess());
            handle.lastBytesRead(handle.guess());
            handle.readComplete();
        }
        assertEquals(65536, handle.guess());
        for (int i = 0; i < 200; i++) {
            handle.reset(config);
            handle.lastBytesRead(1);
            handle.readComplete();
        }
        assertEquals(64, handle.guess());
    }
}
