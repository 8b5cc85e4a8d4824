package io.starling.broker.bridge;

import io.starling.broker.config.BridgeConfig;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long a bridge waits before connecting again ({@code restart_timeout}): a constant wait, or, with a cap (and
 * by default, 5 s to 30 s), mosquitto's jittered backoff: a random wait between the base and three times the last
 * one, at most the cap, back to the base after a connection succeeds.
 */
final class Backoff {
    private final long baseMillis;
    private final long capMillis;
    private long lastMillis;

    Backoff(BridgeConfig.Restart restart) {
        baseMillis = restart.base().toMillis();
        capMillis = restart.cap() == null ? -1 : restart.cap().toMillis();
        lastMillis = baseMillis;
    }

    /** The wait before the next attempt. */
    long next() {
        if (capMillis < 0) {
            return baseMillis;
        }
        long upper = Math.min(capMillis, lastMillis * 3);
        lastMillis = upper <= baseMillis ? baseMillis : ThreadLocalRandom.current().nextLong(baseMillis, upper + 1);
        return lastMillis;
    }

    /** A connection succeeded: the next wait starts from the base again. */
    void reset() {
        lastMillis = baseMillis;
    }
}
