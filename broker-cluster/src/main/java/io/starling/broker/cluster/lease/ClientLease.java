package io.starling.broker.cluster.lease;

import io.starling.broker.cluster.NodeId;
import io.starling.broker.cluster.raft.RaftGroup;
import io.starling.broker.cluster.status.ClusterStatus;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's client lease ({@code cluster_client_lease L}): its client connections stay only while it is
 * in touch with a Raft majority, as the log shows it.
 *
 * <p>The node pings through the Raft log every {@link #period} and the lease runs from when the newest of
 * its pings that it has <i>applied</i> was sent, for L. Applied, not just committed: by then this node has
 * applied every entry before the ping, so a claim of one of its client ids that committed before has already
 * closed that connection here (the registry's takeover path). When the lease runs out (no ping applied for L:
 * a partition, a majority down, a long pause) the node closes every client connection (5.0: DISCONNECT 0x9C
 * Use another server; the will goes, as when a server closes a connection) and refuses CONNECTs until a fresh
 * ping of its own gets through again (before the first one too, at start).
 *
 * <p>The other half is {@link #grantWait}: a node whose CONNECT took over an id from a node that could not be
 * asked (not in the view, or silent) waits that long after the grant before it answers. The old node's last
 * applied ping was sent before the claim committed, so its lease ends within L of the grant, and the
 * connection there is closed by then; the margin covers this node's check interval and the close itself.
 */
public final class ClientLease implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClientLease.class);

    private final NodeId self;
    private final RaftGroup raft;
    private final Duration lease;
    private final long period;
    private final ClientCloser closeClients;
    /** Tells this start's pings from those a previous start left in the log (their nano times mean nothing now). */
    private final long incarnation = ThreadLocalRandom.current().nextLong();
    private final AtomicBoolean pinging = new AtomicBoolean();
    private final LongAdder expiries = new LongAdder();
    private final LongAdder closedConnections = new LongAdder();
    private final ScheduledExecutorService timer;
    private final Object lock = new Object();
    /** The send time of the newest ping applied, once {@code renewed}. */
    private long renewedFrom;
    private boolean renewed;
    private boolean held;

    /** Closes this node's client connections. */
    @FunctionalInterface
    public interface ClientCloser {
        /**
         * Closes every client connection (asynchronously), running {@code closedOne} for each one it closes;
         * returns how many were connected when asked.
         */
        int closeAll(Runnable closedOne);
    }

    private ClientLease(NodeId self, RaftGroup raft, Duration lease, ClientCloser closeClients) {
        this.self = self;
        this.raft = raft;
        this.lease = lease;
        this.period = period(lease).toNanos();
        this.closeClients = closeClients;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "starling-client-lease");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Starts pinging through {@code raft} and checking the lease. {@code pings} is the part registered in
     * {@code raft}; {@code closeClients} closes this node's client connections.
     */
    public static ClientLease start(NodeId self, RaftGroup raft, LeasePings pings, Duration lease, ClientCloser closeClients) {
        ClientLease l = new ClientLease(self, raft, lease, closeClients);
        pings.listen(l::applied);
        l.timer.scheduleWithFixedDelay(l::tick, 0, l.period, TimeUnit.NANOSECONDS);
        return l;
    }

    /** How often a node pings and checks its lease: a tenth of it, from 100 ms to 1 s. */
    static Duration period(Duration lease) {
        long tenth = lease.toMillis() / 10;
        return Duration.ofMillis(Math.max(100, Math.min(1000, tenth)));
    }

    /**
     * How long after its grant a CONNECT that takes an id over from a node it could not ask must wait: the
     * lease, the old node's check interval, and a second for the close to go out.
     */
    public static Duration grantWait(Duration lease) {
        return lease.plus(period(lease)).plusSeconds(1);
    }

    private void tick() {
        try {
            if (pinging.compareAndSet(false, true)) {
                raft.submit(LeasePings.TAG, LeasePings.ping(self.name(), incarnation, System.nanoTime()))
                        .whenComplete((answer, error) -> pinging.set(false));
            }
            check(System.nanoTime());
        } catch (RuntimeException e) {
            pinging.set(false);
            LOG.warn("Client lease of node {}: {}", self, e.toString());
        }
    }

    private void applied(long fromIncarnation, long sentNanos) {
        if (fromIncarnation != incarnation) {
            return;
        }
        boolean regained;
        synchronized (lock) {
            if (renewed && sentNanos - renewedFrom <= 0) {
                return; // no newer than what the lease runs from
            }
            renewed = true;
            renewedFrom = sentNanos;
            // Held again only from a fresh ping: one that waited half a lease in a stuck batch would hold it
            // for a moment and let it run out again (measured: regained, then lost 8 s later, after a leader change).
            regained = !held && System.nanoTime() - sentNanos <= lease.toNanos() / 2;
            held |= regained;
        }
        if (regained && expiries.sum() > 0) {
            LOG.warn("Cluster node {} is in touch with a Raft majority again: its client lease holds.", self);
        }
    }

    /**
     * Closes this node's client connections when the lease has run out, and again at every check while it does
     * not hold: CONNECTs are refused meanwhile ({@link #held}), but one whose claim was granted just before the
     * lease ran out may register after the first sweep.
     */
    private void check(long now) {
        boolean ranOut;
        synchronized (lock) {
            if (held && now - renewedFrom <= lease.toNanos()) {
                return;
            }
            ranOut = held;
            held = false;
        }
        // Counted as each one closes: a sweep meets a connection that an earlier one is still closing.
        int online = closeClients.closeAll(closedConnections::increment);
        if (ranOut) {
            expiries.increment();
            LOG.warn("Cluster node {} has not been in touch with a Raft majority for {} ms (cluster_client_lease): "
                    + "closing its {} client connection(s) (5.0: DISCONNECT 0x9C Use another server), since another node "
                    + "may now give their client ids to new connections. CONNECTs are refused until a majority answers again.",
                    self, lease.toMillis(), online);
        }
    }

    /** Whether the lease holds: this node's pings get through, its connections stay, CONNECTs are taken. */
    public boolean held() {
        synchronized (lock) {
            return held;
        }
    }

    /** What the cluster's $SYS topics, metrics and HTTP API show of it. */
    public ClusterStatus.Lease status() {
        return new ClusterStatus.Lease(held(), expiries(), closedConnections());
    }

    /** Times the lease ran out. */
    public long expiries() {
        return expiries.sum();
    }

    /** Client connections closed because the lease ran out. */
    public long closedConnections() {
        return closedConnections.sum();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
