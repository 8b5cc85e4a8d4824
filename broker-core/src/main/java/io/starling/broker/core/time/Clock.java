package io.starling.broker.core.time;

/** Monotonic time, injected so that expiry can be tested with fake time. */
public interface Clock {
    Clock SYSTEM = System::nanoTime;

    long nanoTime();

    /**
     * Wall-clock time in milliseconds. Only where mosquitto's choices depend on it: the whole seconds of
     * a message's expiry ({@link MessageExpiry}) start where the wall clock's seconds do.
     */
    default long currentTimeMillis() {
        return System.currentTimeMillis();
    }
}
