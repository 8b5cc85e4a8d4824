package io.starling.broker.core;

import java.util.concurrent.atomic.LongAdder;

/**
 * What the broker did to protect itself, by cause (docs/security.md): reads paused, connections closed
 * or refused. Messages dropped are in {@link DropCounters}. The counters feed $SYS and metrics; each
 * mechanism logs at most once per interval ({@link RateLimitedLog}).
 */
public final class OverloadCounters {
    /** A connection stopped being read because its own output was backed up. */
    public final LongAdder readPausedOutput = new LongAdder();
    /** A publisher stopped being read because an event loop it feeds had too much waiting. */
    public final LongAdder readPausedBacklog = new LongAdder();
    /** A connection closed because its unsent output went over {@code max_outgoing_bytes}. */
    public final LongAdder outgoingOverflow = new LongAdder();
    /** A connection closed because it sent more than {@code max_connect_bytes} before CONNECT. */
    public final LongAdder connectTooLarge = new LongAdder();
    /** A connection closed because its listener was over {@code max_connecting_clients} or {@code max_connecting_bytes}. */
    public final LongAdder connectingBudget = new LongAdder();
    /** A connection closed because it did not finish CONNECT within the timeout from accept. */
    public final LongAdder connectTimeout = new LongAdder();
    /** A close that did not complete within its grace time and was made abortive (the peer stopped reading). */
    public final LongAdder closeAborted = new LongAdder();
}
