package io.starling.broker.core.store;

import io.starling.broker.core.routing.Delivery;

/**
 * The messages waiting for one session behind its inflight window: while the window is full, and
 * while a persistent session is offline.
 *
 * <p>Threading: owned by the session's event loop (see {@code Session}); not thread-safe.
 * Ownership: the queue owns the message reference of each delivery it holds; {@link #poll} hands it
 * back to the caller, {@link #clear} releases them all.
 */
public interface MessageQueue {

    void add(Delivery delivery);

    /** Removes and returns the oldest delivery, or null when empty. */
    Delivery poll();

    int size();

    /** The sum of the queued payload sizes. */
    long bytes();

    /** Releases and removes every delivery. */
    void clear();
}
