package io.starling.broker.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits in tests for a condition: polls it, never sleeps as synchronisation, fails with what it waited for. */
public final class Await {
    private Await() {
    }

    /** Returns once {@code condition} holds; fails with an {@link AssertionError} naming {@code what} after {@code timeout}. */
    public static void until(Duration timeout, String what, BooleanSupplier condition) throws InterruptedException {
        until(timeout, what, condition, () -> "");
    }

    /** As {@link #until(Duration, String, BooleanSupplier)}; the failure also tells {@code state}, read when it fails. */
    public static void until(Duration timeout, String what, BooleanSupplier condition, Supplier<String> state)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                String now = state.get();
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what
                        + (now.isEmpty() ? "" : "; " + now));
            }
            Thread.sleep(10);
        }
    }
}
