package io.starling.broker.core.sys;

import java.time.Duration;

/**
 * An exponentially damped moving average of a rate, as mosquitto computes its
 * {@code $SYS/broker/load/...} topics (and as Unix computes its load averages): at each update, the
 * rate over the time since the last one, in events per minute, is blended into the average with
 * weight {@code 1 - exp(-elapsed / window)}. A 1-minute average thus follows a change within a
 * minute or two; a 15-minute one takes a quarter of an hour.
 *
 * <p>Threading: owned by the thread that updates the $SYS tree.
 */
public final class LoadAverage {
    /** Mosquitto publishes a load again only once it moved by at least this much. */
    static final double PUBLISH_STEP = 0.01;

    private final double windowSeconds;
    private double value;

    public LoadAverage(Duration window) {
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive: " + window);
        }
        this.windowSeconds = window.toNanos() / 1e9;
    }

    /**
     * Folds in {@code events} that happened over the last {@code elapsedSeconds}.
     *
     * @return whether the average moved by {@link #PUBLISH_STEP} or more, so is worth publishing
     */
    public boolean update(long events, double elapsedSeconds) {
        if (elapsedSeconds <= 0) {
            throw new IllegalArgumentException("elapsed time must be positive: " + elapsedSeconds);
        }
        double perMinute = events * 60.0 / elapsedSeconds;
        double next = perMinute + Math.exp(-elapsedSeconds / windowSeconds) * (value - perMinute);
        boolean moved = Math.abs(next - value) >= PUBLISH_STEP;
        value = next;
        return moved;
    }

    /** Events per minute, averaged over the window. */
    public double value() {
        return value;
    }
}
