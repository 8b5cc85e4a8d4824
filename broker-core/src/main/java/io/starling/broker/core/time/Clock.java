package io.starling.broker.core.time;

/** Monotonic time, injected so that expiry can be tested with fake time. */
public interface Clock {
    Clock SYSTEM = System::nanoTime;

    long nanoTime();
}
