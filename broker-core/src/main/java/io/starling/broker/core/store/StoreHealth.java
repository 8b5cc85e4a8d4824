package io.starling.broker.core.store;

/**
 * Whether the session store takes writes, for {@code $SYS}, metrics and the log.
 *
 * @param ok         whether writes reach the disk now
 * @param problem    why not (the failed operation and its cause), or null when ok
 * @param failures   how many times the store failed since start-up
 * @param recoveries how many times it recovered by itself
 */
public record StoreHealth(boolean ok, String problem, long failures, long recoveries) {
    /** A store that never failed. */
    public static final StoreHealth OK = new StoreHealth(true, null, 0, 0);
}
