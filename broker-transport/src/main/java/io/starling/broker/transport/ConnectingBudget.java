package io.starling.broker.transport;

import io.starling.broker.core.OverloadLimits;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One listener's budget for connections that have not finished CONNECT (strangers): how many there
 * may be ({@code max_connecting_clients}) and how many bytes they may have sent in all
 * ({@code max_connecting_bytes}). A stranger holds its share until it is through CONNECT or closed,
 * so a flood of unfinished CONNECTs costs a bounded amount of memory, whatever the flood's size.
 * Thread-safe: the connections of a listener live on every loop.
 */
final class ConnectingBudget {
    private final int maxClients;
    private final long maxBytes;
    private final AtomicInteger clients = new AtomicInteger();
    private final AtomicLong bytes = new AtomicLong();

    ConnectingBudget(OverloadLimits limits) {
        this.maxClients = limits.maxConnectingClients();
        this.maxBytes = limits.maxConnectingBytes();
    }

    /** Takes a place for a new connection; false (and nothing taken) when the listener has none left. */
    boolean admit() {
        if (clients.incrementAndGet() > maxClients && maxClients > 0) {
            clients.decrementAndGet();
            return false;
        }
        return true;
    }

    /** Counts bytes a stranger sent; false when the listener's strangers are over their byte budget. */
    boolean take(long n) {
        return bytes.addAndGet(n) <= maxBytes || maxBytes == 0;
    }

    /** Gives back a connection's place and the bytes it was counted for. */
    void release(long n) {
        bytes.addAndGet(-n);
        clients.decrementAndGet();
    }

    int clients() {
        return clients.get();
    }

    long bytes() {
        return bytes.get();
    }
}
