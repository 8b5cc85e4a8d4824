package io.starling.broker.cluster;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition in tests: polls, never sleeps as synchronisation, fails with a message on timeout. */
public final class Awaits {
    private Awaits() {
    }

    public static void until(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout);
            }
            Thread.sleep(20);
        }
    }
}
