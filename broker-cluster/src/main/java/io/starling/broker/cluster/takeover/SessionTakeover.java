package io.starling.broker.cluster.takeover;

import io.starling.broker.cluster.NodeId;
import io.starling.broker.cluster.link.MalformedFrameException;
import io.starling.broker.cluster.link.NodeLinks;
import io.starling.broker.cluster.membership.ClusterChannel;
import io.starling.broker.cluster.registry.ClaimResult;
import io.starling.broker.cluster.registry.ClientIdRegistry;
import io.starling.broker.cluster.registry.Owner;
import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.RateLimitedLog;
import io.starling.broker.core.protocol.SessionHandOver;
import io.starling.broker.core.routing.LoopOutbox;
import io.starling.broker.core.routing.RemoteNode;
import io.starling.broker.core.routing.SubscriberOptions;
import io.starling.broker.core.topic.TopicFilter;
import io.starling.broker.core.session.ClientIdClaims;
import io.starling.broker.core.store.StoredState;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.SubscriptionOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a session to the node where its client connects (issue 17 point 3). The order:
 * <ol>
 *   <li>B's CONNECT claims the id in the registry; the grant names the previous owner A and B's new
 *       epoch e. B's CONNECT now waits for the session ({@link ClientIdClaims.Claim#movedSession}).</li>
 *   <li>B asks A: {@code Request(id, e)} (JGroups unicast). A learns of the claim from the registry too
 *       ({@link #lost}, every node applies every claim): whichever comes first starts the hand-over.</li>
 *   <li>On the session's loop A closes the old connection (5.0: DISCONNECT 0x8E; its will without delay
 *       goes with the state, and B sends it or not as one node would: Clean Start is B's to know), takes the
 *       state out, ends the session there (its stored copy goes), and answers {@code State(id, e,
 *       state)}. A hands over only to a claim newer than the one its session holds.</li>
 *   <li>B takes the state only for the epoch it waits for (a late answer for an older claim, or one
 *       after the wait gave up, is dropped and its messages released), registers the session with its
 *       subscriptions, and answers CONNACK (Session Present as on one node). After {@code wait} without
 *       an answer B starts a fresh session (Session Present 0) and logs it; at once when A is not in the
 *       view (no session can come from it; if it comes back with one stored, {@link RestoredSessionFence}
 *       drops that copy).</li>
 * </ol>
 * Why the cluster channel and not a node link: the exchange is a request and its answer, both ways,
 * rare and small next to the PUBLISH stream; JGroups' UNICAST3 gives it reliability and order per pair
 * of nodes as it is, while a link carries frames one way with acknowledgements the other.
 *
 * <p><b>Messages routed while the session moves</b> (with {@link #moveRowsThrough}): none is lost or
 * delivered twice, and each publisher's order holds, for messages published on A or B.
 * <ul>
 *   <li>B holds what A forwards over the node link ({@link NodeLinks#holdFrom}) from before it sends
 *       the request until its CONNECT has taken the session in (its subscriptions are in B's tree) or
 *       given up ({@code ClientIdClaims#moveSettled}; at most {@code wait} and a second).</li>
 *   <li>A takes the state on B's request (the registry's path closes the old connection at once and
 *       leaves the state to the request; without one within {@code wait} it hands over as it is). Between closing the old connection and taking the state A puts
 *       B's node in the session's place under each of its filters, in one tree write (a message matches
 *       one or the other), then lets every event loop finish what it matched before, so that every
 *       delivery matched to the session reaches it and goes with the state; everything matched after
 *       goes to B over the link, once, behind what the same publisher sent before, and waits there
 *       until the session is in. B's own route announcement later takes over the rows A put there.</li>
 * </ul>
 * See docs/cluster.md "Session takeover" for what is left (messages forwarded by a third node).
 */
public final class SessionTakeover {
    private static final Logger LOG = LoggerFactory.getLogger(SessionTakeover.class);
    /** How long a CONNECT waits for its session from the previous node by default. */
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(5);

    private final NodeId self;
    private final ClusterChannel channel;
    private final BrokerCore core;
    private final TakeoverCodec codec;
    private final AwaitedSessions awaited;
    private final boolean connectWithoutMajority;
    private final RateLimitedLog unsafeConnectsLog = new RateLimitedLog(10);
    private final LongAdder unsafeConnects = new LongAdder();
    private final Duration wait;
    /** Zero, or how long a CONNECT waits after its grant when the old node could not be asked (client leases). */
    private volatile Duration grantWait = Duration.ZERO;
    /** With client leases: whether this node's lease holds; CONNECTs are refused while it does not. */
    private volatile BooleanSupplier leaseHeld = () -> true;
    /** Null until {@link #moveRowsThrough}: hand-overs then take no rows along (the gap above). */
    private volatile NodeLinks links;
    private volatile Routes routes;
    private volatile List<LoopOutbox> loops = List.of();
    /** The link holds of the moves this node waits for, by client id and epoch. */
    private final Map<Waiting, Runnable> holds = new ConcurrentHashMap<>();
    /**
     * Sessions whose connection the registry's path closed, waiting for the new node's request to take
     * their state (the registry's answer goes to that node: the request's own is then not needed).
     */
    private final Map<io.starling.broker.core.session.Session, Runnable> parked = new ConcurrentHashMap<>();

    private record Waiting(String clientId, long epoch) {
    }

    /**
     * How long after a move, beyond the takeover wait, the old node relays what other nodes send it for the
     * moved session: until the new node's route has reached them (one multicast; seconds under load).
     */
    static final Duration RELAY_MARGIN = Duration.ofSeconds(5);

    /** The value of a node's row in the tree, as the route table enters it. */
    private static final SubscriberOptions NODE_ROW = new SubscriberOptions(
            new SubscriptionOptions(QoS.EXACTLY_ONCE, false, true, 0), 0);

    /** Refusing a CONNECT whose id the registry cannot grant (no majority). */
    public SessionTakeover(ClusterChannel channel, BrokerCore core, Duration wait) {
        this(channel, core, wait, false);
    }

    /**
     * Listens for takeover messages on {@code channel}. Then give {@link #lost} to the registry as its
     * {@code OwnerListener} and call {@link #start} with the registry.
     *
     * @param connectWithoutMajority {@code cluster_connect_without_majority}: UNSAFE. A CONNECT whose id the
     *                               registry cannot grant is accepted anyway, as on a single node (no claim,
     *                               so no session moves to it): during a partition the same id may then be
     *                               live on both sides
     */
    public SessionTakeover(ClusterChannel channel, BrokerCore core, Duration wait, boolean connectWithoutMajority) {
        this.connectWithoutMajority = connectWithoutMajority;
        this.wait = wait;
        this.self = channel.self();
        this.channel = channel;
        this.core = core;
        this.awaited = new AwaitedSessions(wait);
        this.codec = new TakeoverCodec(core.clock());
        channel.onMessage(ClusterChannel.TAKEOVER, this::received);
    }

    /** From now on CONNECTs claim their id in {@code registry} and take their session over from where it is. */
    public SessionTakeover start(ClientIdRegistry registry) {
        core.setClientIdClaims(new Claims(registry));
        return this;
    }

    /**
     * From now on a session handed over takes its rows in the tree along to the new node over
     * {@code links}, and a session moving here holds what its old node forwards until it is in (see the
     * class notes). {@code loops}: every event loop that routes messages.
     */
    public SessionTakeover moveRowsThrough(NodeLinks links, List<LoopOutbox> loops) {
        this.loops = List.copyOf(loops);
        this.links = links;
        return this;
    }

    /** This node's route announcements, as far as a move needs them. */
    @FunctionalInterface
    public interface Routes {
        /** Keeps {@code filter} announced as this node's for {@code window} (see {@code RouteTable#keepAnnounced}). */
        void keepAnnounced(String filter, Duration window);
    }

    /**
     * From now on the filters of a session that moves away stay announced as this node's for a while, and what
     * other nodes send here for them meanwhile goes on to the new node (the third-node window, docs/cluster.md).
     */
    public SessionTakeover announceMovedRowsWith(Routes routes) {
        this.routes = routes;
        return this;
    }

    /**
     * With client leases ({@code cluster_client_lease}): a CONNECT that takes an id over from a node that could
     * not be asked (not in the view, or silent for the wait) answers only {@code grantWait} after its grant,
     * when that node's lease has run out and it has closed the old connection (see {@code ClientLease}). While
     * {@code leaseHeld} says no, CONNECTs are refused as without a majority.
     */
    public SessionTakeover waitForLeases(Duration grantWait, BooleanSupplier leaseHeld) {
        this.grantWait = grantWait;
        this.leaseHeld = leaseHeld;
        return this;
    }

    /** The registry's {@code OwnerListener}: another node claimed an id this node held. Any thread. */
    public void lost(String clientId, Owner lost, Owner winner) {
        if (lost.node().equals(self) && !winner.node().equals(self)) {
            // Only a session claimed since this start: replaying the log at start-up reports old claims,
            // and a session restored from the store may have come back here since (its request says so).
            if (links == null) {
                handOver(clientId, winner, true, SessionHandOver.Mover.NONE);
                return;
            }
            // The old connection closes now; the state waits for the request, which moves the rows along
            // once the new node holds the link. Without it (the new node died, or its CONNECT went) the
            // session is handed over as it is after the same wait.
            handOver(clientId, winner, true, (session, takeState) -> {
                if (!session.isPersistent()) {
                    takeState.run(); // it ends with its connection: its will goes with the state now
                    return;
                }
                parked.put(session, takeState);
                CompletableFuture.delayedExecutor(wait.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
                    try {
                        session.owner().execute(() -> {
                            if (parked.remove(session, takeState)) {
                                takeState.run();
                            }
                        });
                    } catch (RejectedExecutionException closing) {
                        parked.remove(session, takeState); // the broker stopped meanwhile: nothing is handed over
                    }
                });
            });
        }
    }

    /**
     * Hands the session over to {@code to}. Both the request and the registry may start it: the first
     * to reach the session's loop takes the state and sends it from there before the session leaves
     * this node, so the other finds nothing only after the state went, and its null answer (a request's;
     * the registry's path sends none) follows the state on the same ordered unicast stream.
     */
    private void handOver(String clientId, Owner to, boolean fromRegistry, SessionHandOver.Mover mover) {
        SessionHandOver.handOver(core, clientId, to.epoch(), fromRegistry, mover, state -> {
            if (state != null || !fromRegistry) {
                sendState(to.node(), new TakeoverMessage.State(clientId, to.epoch(), state));
            }
        });
    }

    /**
     * The session has left this node: its state waits for the new node to be in this node's view (it claimed
     * the id through the Raft log, which can run ahead of the view), as long as that node's CONNECT waits for it.
     */
    private void sendState(NodeId to, TakeoverMessage.State m) {
        byte[] bytes;
        try {
            bytes = codec.encode(m);
        } catch (Exception e) {
            LOG.warn("Session takeover state for {} to {} not sent: {}", m.clientId(), to, e.toString());
            return;
        } finally {
            if (m.session() != null) {
                m.session().release(); // encoded: this node's references are done
            }
        }
        channel.unicastOnceMember(to, ClusterChannel.TAKEOVER, bytes, wait).thenAccept(sent -> {
            if (!sent) {
                LOG.warn("Session takeover state for {} not sent: node {} was not in this node's cluster view within {} ms "
                        + "(its CONNECT has started afresh).", m.clientId(), to, wait.toMillis());
            }
        });
    }

    /**
     * Asks the old node for the session; returns whether the request went (as far as this node knows: it was
     * handed to the channel). States go by {@link #sendState}.
     */
    private boolean sendRequest(NodeId to, TakeoverMessage.Request m) {
        try {
            if (!channel.unicast(to, ClusterChannel.TAKEOVER, codec.encode(m))) {
                LOG.warn("Session takeover request for {} not sent: node {} is not in the cluster view.", m.clientId(), to);
                return false;
            }
            return true;
        } catch (Exception e) {
            LOG.warn("Session takeover request for {} to {} not sent: {}", m.clientId(), to, e.toString());
            return false;
        }
    }

    private void received(NodeId from, byte[] bytes) {
        TakeoverMessage m;
        try {
            m = codec.decode(bytes);
        } catch (MalformedFrameException e) {
            LOG.warn("Dropped a session takeover message from {}: {}", from, e.getMessage());
            return;
        }
        if (m instanceof TakeoverMessage.Request r) {
            handOver(r.clientId(), new Owner(from, r.epoch()), false, moverTo(from));
            return;
        }
        TakeoverMessage.State s = (TakeoverMessage.State) m;
        awaited.arrived(s.clientId(), s.epoch(), s.session(), from);
    }

    /**
     * On the session's loop, after its connection closed: B's node takes the session's place under each
     * of its filters (shared ones stay: their groups pick a member per message), then every loop finishes
     * what it matched before, and the state is taken after the deliveries that produced.
     */
    private SessionHandOver.Mover moverTo(NodeId to) {
        NodeLinks through = links;
        if (through == null) {
            return SessionHandOver.Mover.NONE;
        }
        return (session, ownTake) -> {
            Runnable registryTake = parked.remove(session); // the registry's path closed it and waits for this
            Runnable takeState = registryTake != null ? registryTake : ownTake;
            if (!session.isPersistent()) {
                takeState.run(); // it ends with its connection: nothing is queued for it after that
                return;
            }
            RemoteNode node = through.remoteNode(to);
            Duration window = wait.plus(RELAY_MARGIN);
            through.relayForMovedSessions(to, window); // before the rows: a match that sees them relays
            Routes announced = routes;
            for (String filter : session.subscriptionFilters()) {
                if (!TopicFilter.isShared(filter)) {
                    if (announced != null) {
                        announced.keepAnnounced(filter, window); // before the row goes: never unannounced between
                    }
                    core.subscriptions().replace(filter, session, node, NODE_ROW);
                }
            }
            List<LoopOutbox> all = loops;
            if (all.isEmpty()) {
                takeState.run();
                return;
            }
            AtomicInteger left = new AtomicInteger(all.size());
            for (LoopOutbox loop : all) {
                loop.submit(() -> {
                    if (left.decrementAndGet() == 0) {
                        // Queued behind what the other loops handed the session's loop before their turn here.
                        session.owner().submit(takeState);
                    }
                });
            }
        };
    }

    /** Claims through the registry; a grant that names another node's previous claim waits for the session. */
    private final class Claims implements ClientIdClaims {
        private final ClientIdRegistry registry;

        Claims(ClientIdRegistry registry) {
            this.registry = registry;
        }

        @Override
        public CompletionStage<Claim> claim(String clientId) {
            if (!leaseHeld.getAsBoolean()) {
                return CompletableFuture.completedFuture(Claim.UNAVAILABLE);
            }
            return registry.claim(clientId).thenApply(result -> {
                if (!(result instanceof ClaimResult.Granted granted)) {
                    if (!connectWithoutMajority) {
                        return Claim.UNAVAILABLE;
                    }
                    unsafeConnects.increment();
                    unsafeConnectsLog.warn(LOG, "Client {} accepted without a claim of its id ({}): "
                            + "cluster_connect_without_majority is true, so the same client id may be live on "
                            + "another node too (unsafe).", clientId, result);
                    return Claim.granted(ClientIdClaims.NO_TOKEN);
                }
                long epoch = granted.owner().epoch();
                Owner previous = granted.previous();
                if (previous == null || previous.node().equals(self)) {
                    return Claim.granted(epoch);
                }
                hold(clientId, epoch, previous.node());
                return Claim.grantedWithMove(epoch, fetch(clientId, epoch, previous.node()));
            });
        }

        @Override
        public void moveSettled(String clientId, long token) {
            Runnable release = holds.remove(new Waiting(clientId, token));
            if (release != null) {
                release.run();
            }
        }

        @Override
        public void release(String clientId, long token) {
            registry.release(clientId, new Owner(self, token));
        }
    }

    /** CONNECTs accepted without a claim of their id (no majority, {@code cluster_connect_without_majority true}). */
    public long unsafeConnects() {
        return unsafeConnects.sum();
    }

    /**
     * Holds what {@code from} forwards until the CONNECT waiting for the session is done with it, at most
     * {@code wait} and a second (a CONNECT that never says so must not stop the link for good).
     */
    private void hold(String clientId, long epoch, NodeId from) {
        NodeLinks through = links;
        if (through == null) {
            return;
        }
        Waiting key = new Waiting(clientId, epoch);
        Runnable release = through.holdFrom(from);
        Runnable older = holds.put(key, release);
        if (older != null) {
            older.run();
        }
        long bound = Math.max(wait.toMillis(), grantWait.toMillis()) + 1000;
        CompletableFuture.delayedExecutor(bound, TimeUnit.MILLISECONDS).execute(() -> {
            if (holds.remove(key, release)) {
                LOG.warn("Released the link from {} held for the session of {}: its CONNECT did not take it in time.",
                        from, clientId);
                release.run();
            }
        });
    }

    private CompletableFuture<StoredState.RestoredSession> fetch(String clientId, long epoch, NodeId from) {
        long grantedAt = System.nanoTime();
        CompletableFuture<AwaitedSessions.Outcome> outcome = awaited.await(clientId, epoch, from);
        if (!sendRequest(from, new TakeoverMessage.Request(clientId, epoch))) {
            // Not in the view (down, or across a partition): no session can come from it, start afresh now.
            // If it comes back with the session stored, it finds the id held at a newer epoch and drops it.
            awaited.unreachable(clientId, epoch);
        }
        Duration leaseWait = grantWait;
        return outcome.thenCompose(o -> o.heard() || leaseWait.isZero() ? CompletableFuture.completedFuture(o.session())
                : afterLease(clientId, from, leaseWait.toNanos() - (System.nanoTime() - grantedAt)));
    }

    /** A fresh session once {@code nanos} more have passed: the old node's lease has run out by then. */
    private static CompletableFuture<StoredState.RestoredSession> afterLease(String clientId, NodeId from, long nanos) {
        if (nanos <= 0) {
            return CompletableFuture.completedFuture(null);
        }
        LOG.info("CONNECT of {} waits {} ms more: node {} could not be asked and keeps the old connection until its "
                + "client lease runs out.", clientId, TimeUnit.NANOSECONDS.toMillis(nanos), from);
        CompletableFuture<StoredState.RestoredSession> fresh = new CompletableFuture<>();
        CompletableFuture.delayedExecutor(nanos, TimeUnit.NANOSECONDS).execute(() -> fresh.complete(null));
        return fresh;
    }
}
